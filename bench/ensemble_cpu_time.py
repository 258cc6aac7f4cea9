#!/usr/bin/python3
"""CPU time per instance-step of an antennal-lobe ensemble against K (issue 16), robust to a loaded machine.

    /usr/bin/python3 bench/ensemble_cpu_time.py [--psst build/psst] [--sizes 1,10,100,1000] [--threads 1]
                                                 [--instance-ms 300] [--repeats 3]

Wall time on a shared machine measures the other processes as much as psst; the CPU
time a run is charged (user + system, from getrusage of the child) does not. For each K
it runs `psst run models/locust_al.toml --instances K` twice, for one step and for
instance-ms / K ms, and charges the difference to the K x steps instance-steps (set-up,
kernel loading and the first sample cancel). K values are interleaved within each
repeat; the minimum over repeats is printed. Also prints the step loop's wall time.
"""
import argparse
import os
import re
import resource
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL = os.path.join(ROOT, "models", "locust_al.toml")
LOOP = re.compile(r"in ([0-9.]+) s on")
DT_MS = 0.01  # the model's dt


def cpu_seconds(psst, out, instances, ms, threads):
    """(CPU seconds charged to the run, wall seconds of its step loop)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run([psst, "run", MODEL, "-o", out, "--overwrite", "--backend", "cpu", "--threads",
                             str(threads), "--duration", f"{ms:g}", "--instances", str(instances),
                             "--record-every", "1"], capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"psst failed:\n{result.stdout}{result.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, float(LOOP.search(result.stdout).group(1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--psst", default=os.path.join(ROOT, "build", "psst"))
    parser.add_argument("--sizes", default="1,10,100,1000")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--instance-ms", type=float, default=300.0)
    parser.add_argument("--repeats", type=int, default=3)
    a = parser.parse_args()
    sizes = [int(s) for s in a.sizes.split(",")]
    found = {k: [] for k in sizes}
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "al.h5")
        cpu_seconds(a.psst, out, 1, DT_MS, a.threads)  # the kernels into the cache
        for repeat in range(a.repeats):
            for k in sizes:
                ms = a.instance_ms / k
                steps = round(ms / DT_MS)
                setup, _ = cpu_seconds(a.psst, out, k, DT_MS, a.threads)
                total, loop = cpu_seconds(a.psst, out, k, ms, a.threads)
                per_step = ((total - setup) / (k * (steps - 1)) * 1e6, loop / (k * steps) * 1e6)
                found[k].append(per_step)
                print(f"repeat {repeat} K={k}: {per_step[0]:.1f} us CPU, {per_step[1]:.1f} us step-loop wall "
                      f"per instance-step (load {os.getloadavg()[0]:.1f})", flush=True)
    for k in sizes:
        print(f"K={k}: minimum {min(c for c, _ in found[k]):.1f} us CPU, "
              f"{min(w for _, w in found[k]):.1f} us wall per instance-step ({a.threads} thread(s))")


if __name__ == "__main__":
    main()
