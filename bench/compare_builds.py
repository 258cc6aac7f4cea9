#!/usr/bin/python3
"""Before/after timing of psst binaries on rows (a), (b), (c) of side_by_side.py.

    /usr/bin/python3 bench/compare_builds.py OLD_PSST NEW_PSST [MORE_PSST ...] [--repeats 7]

Each case runs the binaries in turn (old, new, old, new, ...), each with a warm
kernel cache of its own, and reports the best and the median run time of each
as printed by `psst run` ("simulated ... in X s": the step loop, without set-up
or compilation); on a shared virtual machine the best of several interleaved
runs is the stable figure. It says whether the spike counts agree.
(a) the antennal lobe, 1 s, 1 thread; (b) COBAHH, 1 s, exponential Euler, 1 and
2 threads; (c) 10,000 independent HH neurons, 40 ms, 1 thread.
"""
import argparse
import os
import re
import statistics
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUMMARY = re.compile(r"simulated to [0-9.]+ ms \((\d+) steps.*?\) in ([0-9.]+) s on '\w+': (\d+) spikes")


def hh_model(tmp, n):
    text = open(os.path.join(ROOT, "models", "hh.toml")).read()
    text = re.sub(r"(?m)^size = 1\b", f"size = {n}", text)
    text = re.sub(r'(?m)^variables = \["V", "m", "h", "n"\]', "variables = []", text)
    path = os.path.join(tmp, f"hh_{n}.toml")
    open(path, "w").write(text)
    return path


def run(psst, model, threads, extra, cache, out):
    env = dict(os.environ, PSST_CACHE_DIR=cache)
    cmd = [psst, "run", model, "--backend", "cpu", "--threads", str(threads), "-o", out, "--overwrite", *extra]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
    m = SUMMARY.search(p.stdout + p.stderr)
    if not m:
        raise RuntimeError((p.stdout + p.stderr)[-400:])
    return float(m.group(2)), int(m.group(3))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binaries", nargs="+", help="psst executables; the first is the baseline")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="psst_compare_")
    cases = [
        ("(a) AL 1 s, 1 thr", os.path.join(ROOT, "models", "locust_al.toml"), 1, []),
        ("(b) COBAHH 1 s exp. Euler, 1 thr", os.path.join(ROOT, "models", "cobahh.toml"), 1,
         ["--method", "exponential_euler"]),
        ("(b) COBAHH 1 s exp. Euler, 2 thr", os.path.join(ROOT, "models", "cobahh.toml"), 2,
         ["--method", "exponential_euler"]),
        ("(c) HH N=1e4 40 ms, 1 thr", hh_model(tmp, 10000), 1, ["--duration", "40"]),
    ]
    names = [f"#{k}" for k in range(len(args.binaries))]
    print("binaries: " + ", ".join(f"{n} = {b}" for n, b in zip(names, args.binaries)))
    print("| case | " + " | ".join(f"{n} best (median) s" for n in names) + " | best / #0 | spikes |")
    print("|---|" + "---|" * len(names) + "---|---|")
    for label, model, threads, extra in cases:
        times = {n: [] for n in names}
        spikes = {}
        for n, psst in zip(names, args.binaries):  # warm each binary's kernel cache
            run(psst, model, threads, extra, os.path.join(tmp, "cache" + n), os.path.join(tmp, "warm.h5"))
        for _ in range(args.repeats):
            for n, psst in zip(names, args.binaries):
                seconds, count = run(psst, model, threads, extra, os.path.join(tmp, "cache" + n),
                                     os.path.join(tmp, "out.h5"))
                times[n].append(seconds)
                spikes[n] = count
        cells = [f"{min(times[n]):.3f} ({statistics.median(times[n]):.3f})" for n in names]
        ratios = " / ".join(f"{min(times[n]) / min(times[names[0]]):.3f}" for n in names[1:])
        counts = sorted(set(spikes.values()))
        agree = "equal" if len(counts) == 1 else " / ".join(str(spikes[n]) for n in names)
        print(f"| {label} | " + " | ".join(cells) + f" | {ratios} | {agree} |", flush=True)


if __name__ == "__main__":
    main()
