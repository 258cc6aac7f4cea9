#!/usr/bin/python3
"""Ensemble throughput (issue 16): the antennal lobe (models/locust_al.toml) as an
ensemble of K instances in one run against K separate runs, on the cpu backend.

    /usr/bin/python3 bench/ensembles.py [--psst build/psst] [--sizes 1,10,100,1000] [--threads 1,2]

Throughput is instance-milliseconds simulated per wall second of the step loop (the
time psst prints, without set-up and kernel loading). Separate runs: SEPARATE (default
10) single runs with seeds S..S+SEPARATE-1 on 1 thread, one after another; K separate
runs take K times their mean (they are independent and identical in cost), which is the
extrapolation the table states. Every run records at --record-every (default 1 ms) into
a temporary file. Writes bench/results/ensembles.md (rewritten after every row).
"""
import argparse
import os
import re
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL = os.path.join(ROOT, "models", "locust_al.toml")
LINE = re.compile(r"simulated to ([0-9.e+-]+) ms .* in ([0-9.]+) s on")


def run(psst, args, out):
    start = time.monotonic()
    result = subprocess.run([psst, "run", MODEL, "-o", out, "--overwrite", *args], capture_output=True, text=True)
    process_wall = time.monotonic() - start
    if result.returncode != 0:
        raise SystemExit(f"psst failed: {' '.join(args)}\n{result.stdout}{result.stderr}")
    match = LINE.search(result.stdout)
    return float(match.group(1)), float(match.group(2)), process_wall


def load():
    return os.getloadavg()[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--psst", default=os.path.join(ROOT, "build", "psst"))
    parser.add_argument("--sizes", default="1,10,100,1000")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--instance-ms", type=float, default=2000.0, help="instance-ms per ensemble run (duration K)")
    parser.add_argument("--separate", type=int, default=10)
    parser.add_argument("--separate-ms", type=float, default=100.0)
    parser.add_argument("--record-every", default="1")
    parser.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "ensembles.md"))
    a = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "al.h5")
        common = ["--record-every", a.record_every, "--backend", "cpu"]
        run(a.psst, common + ["--duration", "1", "--threads", "1"], out)  # the kernels into the cache
        separate, walls = 0.0, 0.0
        for k in range(a.separate):
            ms, seconds, wall = run(a.psst, common + ["--duration", str(a.separate_ms), "--threads", "1",
                                                      "--seed", str(2001 + k)], out)
            separate += seconds
            walls += wall
        per_instance_ms = separate / (a.separate * a.separate_ms)  # step-loop seconds per instance-ms
        process_per_run = walls / a.separate - separate / a.separate  # set-up, loading, writing per run
        header = [f"separate runs: {a.separate} x {a.separate_ms} ms on 1 thread: {separate:.2f} s of step loop "
                  f"({1 / per_instance_ms:.1f} instance-ms per s), {process_per_run:.2f} s more per process "
                  f"(start, set-up, kernel loading), load {load():.1f}"]
        print(header[0], flush=True)
        for size in [int(s) for s in a.sizes.split(",")]:
            duration = max(a.instance_ms / size, 0.1)
            for threads in [int(t) for t in a.threads.split(",")]:
                before = load()
                ms, seconds, wall = run(a.psst, common + ["--duration", f"{duration:g}", "--threads", str(threads),
                                                          "--instances", str(size)], out)
                throughput = size * ms / seconds
                rows.append((size, threads, ms, seconds, wall, throughput, throughput * per_instance_ms,
                             before, load()))
                print(rows[-1], flush=True)
                write(a.out, header, rows)


def write(path, header, rows):
    with open(path, "w") as f:
        f.write("# Ensembles: the antennal lobe as K instances in one run\n\n")
        f.write("`/usr/bin/python3 bench/ensembles.py` (cpu backend, `models/locust_al.toml`: RK4, dt = 0.01 ms, "
                "120 neurons and 3157 synapses per instance, recorded every 1 ms).\n\n")
        for line in header:
            f.write(f"- {line}\n")
        f.write("\n| K | threads | simulated ms | step loop s | process s | instance-ms per s | vs K separate 1-thread "
                "runs | load before / after |\n|---|---|---|---|---|---|---|---|\n")
        for size, threads, ms, seconds, wall, throughput, ratio, before, after in rows:
            f.write(f"| {size} | {threads} | {ms:g} | {seconds:.2f} | {wall:.2f} | {throughput:.1f} | {ratio:.2f} x | "
                    f"{before:.1f} / {after:.1f} |\n")


if __name__ == "__main__":
    main()
