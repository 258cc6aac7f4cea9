"""Issue 17's four speed targets, measured in interleaved rounds on this machine.

  /usr/bin/python3 bench/speed_targets.py --psst-build build-rel [--rounds 5] [--out FILE.json]

The targets (one core unless said):
  1. HH, N = 1e4, RK4, math = "fast": at least 0.8x the hand-written -ffast-math kernel
  2. HH, the same, exact math: at least 0.5x the hand-written kernel
  3. the antennal lobe (models/locust_al.toml, 1 s), exact math: at least 2.5x Brian2 2.5
     C++ standalone (its -O3 -ffast-math build, compiled once, then only run)
  4. COBAHH (models/cobahh.toml, 1 s): 2 threads at least 1.8x 1 thread

Why rounds: on a shared or virtual machine the speed of a core drifts by tens of per cent
within minutes. Each round runs every program of a comparison back to back, so each
round's ratio compares programs under the same conditions; the script prints every
round's ratio and their median. Speeds are wall clock of the run alone: psst_bench_hh's
and psst_bench_handwritten's own timing of the steps (neuron-steps/s), `psst run`'s
"simulated ... in X s", Brian2's own sim_wall_s.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PY = "/usr/bin/python3"
TARGETS = {"hh_fast": 0.8, "hh_exact": 0.5, "al_exact": 2.5, "cobahh_threads": 1.8}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--psst-build", default="build-rel", help="build directory with psst and bench/ programs")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--hh-ms", type=float, default=50.0, help="simulated ms of the HH runs (N = 1e4)")
    p.add_argument("--only", default="hh,al,cobahh", help="comma-separated subset of hh, al, cobahh")
    p.add_argument("--out", default=None, help="write every measurement and the medians as JSON")
    return p.parse_args(argv)


def run(cmd, env=None, stdout_only=False):
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({r.returncode}): {r.stderr[-2000:]}")
    return r.stdout if stdout_only else r.stdout + r.stderr


def rate(text):  # "... 2.39e+07 neuron-steps/s" of psst_bench_hh and psst_bench_handwritten
    return float(re.findall(r"([0-9.]+e[+-]?[0-9]+) neuron-steps/s", text)[-1])


def psst_seconds(text):  # psst run's summary: "simulated to ... in 4.02 s on 'cpu'"
    return float(re.search(r"simulated to .* in ([0-9.]+) s on", text).group(1))


class Rounds:
    def __init__(self, args):
        self.args = args
        build = os.path.abspath(args.psst_build)
        self.psst = os.path.join(build, "psst")
        self.bench_hh = os.path.join(build, "bench", "psst_bench_hh")
        self.handwritten = os.path.join(build, "bench", "psst_bench_handwritten")
        self.tmp = tempfile.mkdtemp(prefix="psst_targets_")
        self.env = dict(os.environ, PSST_CACHE_DIR=os.path.join(self.tmp, "cache"))
        self.brian2_dir = os.path.join(self.tmp, "brian2_al")
        self.samples = {}

    def add(self, key, value):
        self.samples.setdefault(key, []).append(value)

    def psst_run(self, model, *extra):
        out = os.path.join(self.tmp, "out.h5")
        return psst_seconds(run([self.psst, "run", os.path.join(ROOT, "models", model), "-o", out, "--overwrite",
                                 *extra], env=self.env))

    def warm_up(self, parts):  # compiles every kernel into the cache, and Brian2's project once
        if "hh" in parts:
            for mode in ("exact", "fast"):
                run([self.bench_hh, "1", "0.1", "cpu", "rk4", "1", "double", mode], env=self.env)
        if "al" in parts:
            for mode in ("exact", "fast"):
                self.psst_run("locust_al.toml", "--duration", "1", "--math", mode)
            self.brian2_al()
        if "cobahh" in parts:
            self.psst_run("cobahh.toml", "--duration", "1")

    def brian2_al(self):
        cmd = [PY, os.path.join(HERE, "peers", "brian2_models.py"), "al", "--threads", "1",
               "--directory", self.brian2_dir, "--keep", "--no-cached"]
        return json.loads(run(cmd, stdout_only=True).strip().splitlines()[-1])["sim_wall_s"]

    def round(self, parts):
        n, ms = "10000", str(self.args.hh_ms)
        if "hh" in parts:
            self.add("hh_handwritten", rate(run([self.handwritten, n, ms, "1"])))
            self.add("hh_exact", rate(run([self.bench_hh, n, ms, "cpu", "rk4", "1", "double", "exact"], env=self.env)))
            self.add("hh_fast", rate(run([self.bench_hh, n, ms, "cpu", "rk4", "1", "double", "fast"], env=self.env)))
        if "al" in parts:
            self.add("al_psst_exact_s", self.psst_run("locust_al.toml", "--threads", "1"))
            self.add("al_psst_fast_s", self.psst_run("locust_al.toml", "--threads", "1", "--math", "fast"))
            self.add("al_brian2_s", self.brian2_al())
        if "cobahh" in parts:
            self.add("cobahh_1thr_s", self.psst_run("cobahh.toml", "--threads", "1"))
            self.add("cobahh_2thr_s", self.psst_run("cobahh.toml", "--threads", "2"))

    def ratios(self):
        s, r = self.samples, {}
        if "hh_exact" in s:
            r["hh_fast"] = [f / h for f, h in zip(s["hh_fast"], s["hh_handwritten"])]
            r["hh_exact"] = [e / h for e, h in zip(s["hh_exact"], s["hh_handwritten"])]
        if "al_brian2_s" in s:
            r["al_exact"] = [b / p for b, p in zip(s["al_brian2_s"], s["al_psst_exact_s"])]
            r["al_fast"] = [b / p for b, p in zip(s["al_brian2_s"], s["al_psst_fast_s"])]
        if "cobahh_1thr_s" in s:
            r["cobahh_threads"] = [a / b for a, b in zip(s["cobahh_1thr_s"], s["cobahh_2thr_s"])]
        return r


def load():
    return os.getloadavg()[0]


def main(argv=None):
    args = parse_args(argv)
    parts = [p for p in args.only.split(",") if p]
    rounds = Rounds(args)
    started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    loads = [load()]
    try:
        rounds.warm_up(parts)
        for k in range(args.rounds):
            rounds.round(parts)
            loads.append(load())
            print(f"round {k + 1}/{args.rounds} done, load average {loads[-1]:.2f}", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(rounds.tmp, ignore_errors=True)
    ratios = rounds.ratios()
    print(f"# issue 17's targets, {args.rounds} interleaved rounds, {started}, load average "
          f"{min(loads):.2f}-{max(loads):.2f}")
    print("| measurement | per round | median |")
    print("|---|---|---|")
    for key, values in rounds.samples.items():
        print(f"| {key} | {', '.join(f'{v:.3g}' for v in values)} | {statistics.median(values):.3g} |")
    print("| ratio | per round | median | target |")
    print("|---|---|---|---|")
    for key, values in ratios.items():
        target = TARGETS.get(key)
        met = "" if target is None else (" (met)" if statistics.median(values) >= target else " (not met)")
        print(f"| {key} | {', '.join(f'{v:.2f}' for v in values)} | {statistics.median(values):.2f} | "
              f"{'-' if target is None else target}{met} |")
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"started": started, "load_average": loads, "samples": rounds.samples, "ratios": ratios,
                       "targets": TARGETS}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
