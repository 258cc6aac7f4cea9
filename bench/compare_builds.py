#!/usr/bin/python3
"""Before/after timing of two psst binaries on rows (a), (b), (c) of side_by_side.py.

    /usr/bin/python3 bench/compare_builds.py OLD_PSST NEW_PSST [--repeats 3]

Each case runs the two binaries alternately (old, new, old, new, ...), with a
warm kernel cache of its own, and reports the best run time of each as printed
by `psst run` ("simulated ... in X s": the step loop, without set-up or
compilation). Spike counts must agree between the binaries; the script says so.
(a) the antennal lobe, 1 s, 1 thread; (b) COBAHH, 1 s, exponential Euler, 1 and
2 threads; (c) 10,000 independent HH neurons, 100 ms, 1 thread.
"""
import argparse
import os
import re
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
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="psst_compare_")
    cases = [
        ("(a) AL 1 s, 1 thr", os.path.join(ROOT, "models", "locust_al.toml"), 1, []),
        ("(b) COBAHH 1 s exp. Euler, 1 thr", os.path.join(ROOT, "models", "cobahh.toml"), 1,
         ["--method", "exponential_euler"]),
        ("(b) COBAHH 1 s exp. Euler, 2 thr", os.path.join(ROOT, "models", "cobahh.toml"), 2,
         ["--method", "exponential_euler"]),
        ("(c) HH N=1e4 100 ms, 1 thr", hh_model(tmp, 10000), 1, ["--duration", "100"]),
    ]
    print(f"| case | old (s) | new (s) | new / old | spikes |")
    print(f"|---|---|---|---|---|")
    for label, model, threads, extra in cases:
        best = {}
        spikes = {}
        for name, psst in (("old", args.old), ("new", args.new)):
            run(psst, model, threads, extra, os.path.join(tmp, "cache_" + name), os.path.join(tmp, "warm.h5"))
        for _ in range(args.repeats):
            for name, psst in (("old", args.old), ("new", args.new)):
                seconds, count = run(psst, model, threads, extra, os.path.join(tmp, "cache_" + name),
                                     os.path.join(tmp, name + ".h5"))
                best[name] = min(best.get(name, seconds), seconds)
                spikes[name] = count
        agree = "equal" if spikes["old"] == spikes["new"] else f"DIFFER {spikes['old']} / {spikes['new']}"
        print(f"| {label} | {best['old']:.3f} | {best['new']:.3f} | {best['new'] / best['old']:.3f} | {agree} |",
              flush=True)


if __name__ == "__main__":
    main()
