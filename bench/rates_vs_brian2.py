#!/usr/bin/python3
"""CUBA (models/cuba_lif.toml) and COBAHH (models/cobahh.toml) beside Brian2 2.5's examples:
rate, mean ISI CV and wall time per seed, from psst (cpu backend) and from Brian2
(bench/peers/brian2_cuba.py, brian2_cobahh.py; Debian's python3-brian, numpy target).
Connectivity and initial values are drawn differently by the two tools, so the
comparison is of statistics over seeds, not of spike trains.

  /usr/bin/python3 bench/rates_vs_brian2.py [--psst build/psst] [--seeds 1,2,3] [--threads 1]

Prints one line per (model, tool, seed); psst's wall time is the run's own figure
("simulated ... in X s"), without kernel compilation; Brian2's is its run() call.
"""
import argparse
import os
import re
import subprocess
import tempfile

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def statistics(index, time, n, duration_ms):
    cvs = []
    for k in range(n):
        s = np.sort(time[index == k])
        if len(s) >= 3:
            isi = np.diff(s)
            cvs.append(isi.std() / isi.mean())
    return len(time) / n / (duration_ms / 1000), float(np.mean(cvs)), len(cvs)


def run_psst(psst, model, seed, threads, out_dir):
    out = os.path.join(out_dir, f"{os.path.basename(model)}.{seed}.h5")
    r = subprocess.run([psst, "run", model, "--seed", str(seed), "--threads", str(threads), "--overwrite", "-o", out],
                       capture_output=True, text=True, check=True)
    wall = float(re.search(r"simulated to .* in ([0-9.]+) s", r.stderr + r.stdout).group(1))
    with h5py.File(out, "r") as f:
        g = f["populations"]["cells"]["spikes"]
        rate, cv, count = statistics(np.asarray(g["index"]), np.asarray(g["time"]), 4000, 1000.0)
    return f"psst   seed {seed}: rate {rate:.2f} Hz, mean CV {cv:.3f} over {count} neurons, run {wall:.1f} s"


def run_brian2(script, seed):
    r = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "peers", script), "--seed", str(seed)],
                       capture_output=True, text=True, check=True)
    return r.stdout.strip().splitlines()[-1]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--psst", default=os.path.join(ROOT, "build", "psst"))
    p.add_argument("--seeds", default="1,2,3")
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        for model, script in (("cuba_lif.toml", "brian2_cuba.py"), ("cobahh.toml", "brian2_cobahh.py")):
            print(f"== {model}")
            for seed in seeds:
                print(run_psst(args.psst, os.path.join(ROOT, "models", model), seed, args.threads, tmp), flush=True)
                print(run_brian2(script, seed), flush=True)


if __name__ == "__main__":
    main()
