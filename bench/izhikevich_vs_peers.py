#!/usr/bin/python3
"""models/izhikevich_2003.toml beside two independent runs: Izhikevich's MATLAB program
ported line by line to NumPy (bench/peers/izhikevich_matlab.py) and Brian2 integrating
the model file's own equations (bench/peers/brian2_izhikevich.py). Connectivity, parameters
and inputs are drawn differently by each tool, so the same seed is not the same network:
compare statistics over seeds.

  /usr/bin/python3 bench/izhikevich_vs_peers.py [--psst build/psst] [--seeds 1,2,3,4,5]

Per tool and seed: excitatory and inhibitory rate (Hz); the population rhythm from the
spike count of the whole network in 1 ms bins over the 1 s run, mean removed: the
frequency of the largest |FFT|^2 in 2..100 Hz (1 Hz resolution), and the power in the
alpha (8-13 Hz) and gamma (30-50 Hz) bands as fractions of the power at 1..500 Hz.
Then mean and sd over the seeds per tool.
"""
import argparse
import os
import subprocess
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
NE, NI = 800, 200


def rhythm(time_ms):
    counts = np.bincount(np.minimum(time_ms.astype(int), 999), minlength=1000).astype(float)
    power = np.abs(np.fft.rfft(counts - counts.mean())) ** 2  # power[f] at f Hz
    total = power[1:].sum()
    peak = 2 + int(np.argmax(power[2:101]))
    return peak, power[8:14].sum() / total, power[30:51].sum() / total


def statistics(index, time_ms):
    peak, alpha, gamma = rhythm(time_ms)
    return np.sum(index < NE) / NE, np.sum(index >= NE) / NI, peak, alpha, gamma


def run_psst(psst, seed, tmp):
    out = os.path.join(tmp, f"izhikevich.{seed}.h5")
    subprocess.run([psst, "run", os.path.join(ROOT, "models", "izhikevich_2003.toml"), "--seed", str(seed),
                    "--overwrite", "-q", "-o", out], check=True)
    import h5py
    with h5py.File(out, "r") as f:
        g = f["populations"]["cells"]["spikes"]
        return statistics(np.asarray(g["index"]), np.asarray(g["time"]))


def run_peer(script, seed, tmp):
    out = os.path.join(tmp, f"{script}.{seed}.txt")
    subprocess.run(["/usr/bin/python3", os.path.join(HERE, "peers", script), "--seed", str(seed), "--spikes", out],
                   check=True, capture_output=True)
    spikes = np.loadtxt(out, ndmin=2)
    return statistics(spikes[:, 1].astype(int), spikes[:, 0])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--psst", default=os.path.join(ROOT, "build", "psst"))
    p.add_argument("--seeds", default="1,2,3,4,5")
    args = p.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    tools = (("psst", lambda s, tmp: run_psst(args.psst, s, tmp)),
             ("MATLAB port", lambda s, tmp: run_peer("izhikevich_matlab.py", s, tmp)),
             ("Brian2", lambda s, tmp: run_peer("brian2_izhikevich.py", s, tmp)))
    print("| tool | seed | excitatory (Hz) | inhibitory (Hz) | peak (Hz) | alpha 8-13 Hz | gamma 30-50 Hz |")
    print("|---|---|---|---|---|---|---|")
    summary = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, run in tools:
            rows = []
            for seed in seeds:
                rows.append(run(seed, tmp))
                e, i, peak, alpha, gamma = rows[-1]
                print(f"| {name} | {seed} | {e:.2f} | {i:.2f} | {peak} | {alpha:.3f} | {gamma:.3f} |", flush=True)
            m, sd = np.mean(rows, axis=0), np.std(rows, axis=0, ddof=1 if len(rows) > 1 else 0)
            summary.append(f"| {name} | {m[0]:.2f} ± {sd[0]:.2f} | {m[1]:.2f} ± {sd[1]:.2f} | {m[2]:.1f} ± {sd[2]:.1f} "
                           f"| {m[3]:.3f} ± {sd[3]:.3f} | {m[4]:.3f} ± {sd[4]:.3f} |")
    print(f"\nmean ± sd over seeds {args.seeds}\n")
    print("| tool | excitatory (Hz) | inhibitory (Hz) | peak (Hz) | alpha fraction | gamma fraction |")
    print("|---|---|---|---|---|---|")
    print("\n".join(summary))


if __name__ == "__main__":
    main()
