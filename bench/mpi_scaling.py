#!/usr/bin/python3
"""Strong scaling of COBAHH on MPI ranks: wall time per step, the time and CPU
time spent in MPI, the CPU time of the work itself, bytes and messages
exchanged per step per rank, peak memory per rank. Never asserted: figures for
docs/scaling.md.

  /usr/bin/python3 bench/mpi_scaling.py                       # 4k, 16k, 64k neurons; 1 and 2 ranks
  /usr/bin/python3 bench/mpi_scaling.py --sizes 4000 --repeats 1 --duration 50
  /usr/bin/python3 bench/mpi_scaling.py --sizes 4000 --delay 1.5    # spikes exchanged once every 15 steps

COBAHH (models/cobahh.toml) at N neurons: 80 % excitatory, every neuron with
80 incoming synapses on average (p = 0.02 * 4000 / N; at N = 4000 the model
file itself), the same weights, exponential Euler, dt = 0.1 ms. Every run is
`mpirun -n R psst run ... --threads 1` (R = 1, 2; --oversubscribe
--allow-run-as-root), --repeats times; the best wall time is kept (a shared,
noisy VM). psst prints, for rank 0, the bytes and messages it sent per step,
the wall and CPU time it spent in MPI calls of the time loop and its CPU time:
CPU time minus CPU time in MPI is the work of the rank, which the load of other
jobs on the machine does not inflate. The 1-minute load average before each
run is reported with it, and rank 0's connectivity memory (its synapse index
structures). Writes bench/results/mpi_scaling.md.
"""
import argparse
import os
import platform
import re
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
LINE = re.compile(r"sent ([0-9.]+) bytes in ([0-9.]+) messages per step.*?; ([0-9.]+) s in MPI; "
                  r"CPU ([0-9.]+) s, ([0-9.]+) s of it in MPI; connectivity ([0-9.]+) MB")


def model_text(n, delay=None):
    text = open(os.path.join(ROOT, "models", "cobahh.toml")).read()
    if delay is not None:  # every synapse delayed by `delay` ms: spikes exchanged once every delay / dt steps
        text = re.sub(r"^(on_pre = .*)$", rf"\1\ndelay = {delay!r}", text, flags=re.M)
    exc = n * 4 // 5
    p = 0.02 * 4000 / n
    text = text.replace("size = 4000", f"size = {n}")
    text = text.replace('pre = "cells[0:3200]"', f'pre = "cells[0:{exc}]"')
    text = text.replace('pre = "cells[3200:4000]"', f'pre = "cells[{exc}:{n}]"')
    text = text.replace("p = 0.02 }", f"p = {p!r} }}")
    # Record a few neurons only: the output is not what is measured.
    text = re.sub(r"neurons = \[[^\]]*\]", "neurons = [0, 1, 2]", text)
    return text


def measure(psst, model, out, duration, ranks):
    load = os.getloadavg()[0]  # other jobs on the machine: the figures depend on it
    cmd = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-n", str(ranks), "/usr/bin/time", "-f",
           "maxrss_kb %M", psst, "run", model, "--duration", str(duration), "--overwrite", "-o", out,
           "--threads", "1"]
    done = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, PSST_QUIET="1"))
    text = done.stdout + done.stderr
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{text}")
    wall = float(re.search(r"steps of [0-9.]+ ms, [a-z_0-9]+\) in ([0-9.]+) s", text).group(1))
    m = LINE.search(text)
    return {"wall": wall, "bytes": float(m.group(1)), "messages": float(m.group(2)), "mpi": float(m.group(3)),
            "cpu": float(m.group(4)), "mpi_cpu": float(m.group(5)), "connectivity_mb": float(m.group(6)),
            "load": load,
            "rss_mb": max(int(v) for v in re.findall(r"maxrss_kb (\d+)", text)) / 1024,
            "spikes": int(re.search(r"': (\d+) spikes", text).group(1))}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="4000,16000,64000")
    parser.add_argument("--duration", type=float, default=100.0, help="simulated ms")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--psst", default=os.path.join(ROOT, "build", "psst"))
    parser.add_argument("--delay", type=float, default=None,
                        help="synaptic delay in ms (default: the model's, one step)")
    args = parser.parse_args()
    steps = args.duration / 0.1
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in [int(s) for s in args.sizes.split(",")]:
            model = os.path.join(tmp, f"cobahh_{n}.toml")
            open(model, "w").write(model_text(n, args.delay))
            out = os.path.join(tmp, "out.h5")
            measure(args.psst, model, out, 1.0, 1)  # compiles the kernels once
            for ranks in (1, 2):
                runs = [measure(args.psst, model, out, args.duration, ranks) for _ in range(args.repeats)]
                best = min(runs, key=lambda r: r["wall"])
                work = min(r["cpu"] - r["mpi_cpu"] for r in runs)
                rows.append((n, ranks, best, work))
                print(n, ranks, best, work, flush=True)
    per_step = lambda seconds: f"{1000 * seconds / steps:.3f}"
    lines = [f"# COBAHH strong scaling on MPI ranks ({platform.node()}, {os.cpu_count()} cores, "
             f"{args.duration:g} ms = {steps:.0f} steps, best of {args.repeats}, 1 thread per rank"
             + (f", delay {args.delay:g} ms" if args.delay is not None else "") + ")", "",
             "| neurons | synapses | spikes | ranks | wall ms/step | of it in MPI (rank 0) | work CPU ms/step (rank 0) | "
             "bytes/step sent by rank 0 | messages/step | connectivity MB (rank 0) | peak RSS MB per rank | "
             "load average |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for n, ranks, best, work in rows:
        lines.append(f"| {n} | {80 * n:,} | {best['spikes']} | {ranks} | {per_step(best['wall'])} | "
                     f"{per_step(best['mpi'])} | {per_step(work)} | {best['bytes']:.0f} | {best['messages']:.2f} | "
                     f"{best['connectivity_mb']:.2f} | {best['rss_mb']:.0f} | {best['load']:.1f} |")
    text = "\n".join(lines) + "\n"
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    open(os.path.join(HERE, "results", "mpi_scaling.md"), "w").write(text)
    print(text)


if __name__ == "__main__":
    main()
