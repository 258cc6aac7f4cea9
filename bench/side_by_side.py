#!/usr/bin/python3
"""psst side by side with Brian2 (C++ standalone) and NEURON, in one run on this machine.

  /usr/bin/python3 bench/side_by_side.py                      # everything, default durations (~35 min on 2 cores)
  /usr/bin/python3 bench/side_by_side.py --only c --sizes 1e3,1e4 --skip-neuron
  /usr/bin/python3 bench/side_by_side.py --duration-scale 10  # N independent HH neurons for the full 100 ms at every N

Models (the same equations, parameters, method and dt in every tool):
  (a) the locust antennal lobe, models/locust_al.toml, 1 s, RK4, dt = 0.01 ms
  (b) COBAHH, 4000 neurons, models/cobahh.toml, 1 s, exponential Euler, dt = 0.1 ms
  (c) N independent PSST HH neurons, models/hh.toml, RK4, dt = 0.01 ms, N = 1e3 .. 1e6,
      100 ms at N <= 1e4, shortened at larger N by default (see --duration-scale)
Tools: psst cpu (1 thread, all threads), psst reference (the interpreter), psst's hand-written
HH kernel (bench/psst_bench_handwritten, when built), Brian2 2.5 C++ standalone (1 thread, all
threads; bench/peers/brian2_models.py), NEURON 8.2 (bench/peers/neuron_models.py) where the model
fits it. Writes bench/results/side_by_side.md and .json (rewritten after every row) and prints
the table. What each column means and the caveats: bench/README.md.
"""
import argparse
import datetime
import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PEERS = os.path.join(HERE, "peers")
PY = "/usr/bin/python3"  # Debian's Python, with Debian's python3-brian and python3-neuron
MODELS = {"a": "(a) locust AL", "b": "(b) COBAHH", "c": "(c) HH x N"}
HH_DEFAULT_MS = {1e3: 100.0, 1e4: 100.0, 1e5: 20.0, 1e6: 10.0}  # before --duration-scale, capped at 100


def log(msg):
    print(f"[{datetime.datetime.now():%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="\n".join(__doc__.split("\n")[1:]))
    p.add_argument("--psst-build", default=os.path.join(ROOT, "build-rel"),
                   help="build directory with psst and bench/psst_bench_hh (default: build-rel)")
    p.add_argument("--only", default="a,b,c", help="models to run, any of a,b,c (default: all)")
    p.add_argument("--sizes", default="1e3,1e4,1e5,1e6", help="N of model (c) (default: 1e3,1e4,1e5,1e6)")
    p.add_argument("--duration-scale", type=float, default=1.0,
                   help="multiplies the default durations of model (c) (N <= 1e4: 100 ms, 1e5: 20 ms, 1e6: 10 ms, "
                        "other N: 1e7 neuron-ms / N), each capped at 100 ms; 10 gives 100 ms everywhere")
    p.add_argument("--reference-max-neuron-steps", type=float, default=1e8,
                   help="model (c): the reference interpreter runs at most this many neuron-steps (a shorter "
                        "duration at large N; default 1e8)")
    p.add_argument("--all-threads", type=int, default=os.cpu_count() or 1,
                   help=f"thread count of the 'all threads' rows (default: {os.cpu_count()}, the cores here)")
    p.add_argument("--skip-neuron", action="store_true", help="no NEURON rows (and no apt-get for NEURON)")
    p.add_argument("--skip-brian2", action="store_true", help="no Brian2 rows")
    p.add_argument("--skip-fast", action="store_true", help="no psst rows with --math fast")
    p.add_argument("--skip-reference", action="store_true", help="no psst reference rows")
    p.add_argument("--out-dir", default=os.path.join(HERE, "results"), help="where side_by_side.md/.json go")
    return p.parse_args()


# ---------------------------------------------------------------- installation of the peers

def dpkg_installed(package):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True)
    return r.returncode == 0 and "install ok installed" in r.stdout


def python_imports(module):
    return subprocess.run([PY, "-c", f"import {module}"], capture_output=True).returncode == 0


def ensure_packages(packages, module):
    """apt-get install the Debian packages (as root, or with sudo) when missing; True if usable."""
    missing = [p for p in packages if not dpkg_installed(p)]
    if missing:
        log(f"installing {' '.join(missing)} with apt-get")
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        cmd = sudo + ["apt-get", "install", "-y", "-qq"] + missing
        try:
            if subprocess.run(cmd, env=env).returncode != 0:
                subprocess.run(sudo + ["apt-get", "update", "-qq"], env=env)
                subprocess.run(cmd, env=env)
        except OSError as e:  # no sudo, no apt-get
            log(f"cannot install {' '.join(missing)}: {e}")
    ok = python_imports(module)
    if not ok:
        log(f"{module} is not usable: its rows are skipped")
    return ok


# ---------------------------------------------------------------- running and parsing

def run(cmd, env=None, timeout=None):
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout, cwd=ROOT)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
        raise RuntimeError(f"{' '.join(cmd)} exited with {proc.returncode}:\n{tail}")
    return proc.stdout, proc.stderr, wall


def last_json(stdout):
    for line in reversed(stdout.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError(f"no JSON line in: {stdout[-500:]}")


NUM = r"([0-9.]+(?:e[+-]?[0-9]+)?)"


def parse_psst(text):
    """The summary lines of `psst run` (stderr) and of psst_bench_hh (stdout)."""
    out = {}
    if m := re.search(r"(\d+) kernels compiled in " + NUM + " s", text):
        out["compile_cold_s"] = float(m.group(2))
    if m := re.search(r"(\d+) kernels loaded from the cache in " + NUM + " s", text):
        out["compile_cached_s"] = float(m.group(2))
    if m := re.search(r"simulated to " + NUM + r" ms \((\d+) steps of " + NUM + r" ms, (\w+)\) in " + NUM +
                      r" s on '(\w+)': (\d+) spikes, " + NUM + " neuron-steps/s", text):
        out.update(duration_ms=float(m.group(1)), steps=int(m.group(2)), method=m.group(4),
                   sim_wall_s=float(m.group(5)), spikes=int(m.group(7)), neuron_steps_per_s=float(m.group(8)))
    if m := re.search(r"setup " + NUM + r" s, run " + NUM + r" s, " + NUM + " neuron-steps/s", text):
        out.update(setup_s=float(m.group(1)), sim_wall_s=float(m.group(2)), neuron_steps_per_s=float(m.group(3)))
    return out


def spikes_by_population(h5_path):
    try:
        import h5py
        with h5py.File(h5_path, "r") as f:
            return {p: int(f["populations"][p]["spikes"]["time"].shape[0]) for p in f["populations"]
                    if "spikes" in f["populations"][p]}
    except Exception:  # h5py missing or no spikes recorded: the total is still known
        return None


class Bench:
    def __init__(self, args):
        self.args = args
        self.rows = []
        self.tmp = tempfile.mkdtemp(prefix="psst_side_by_side_")
        args.psst_build = os.path.abspath(args.psst_build)
        self.psst = os.path.join(args.psst_build, "psst")
        self.bench_hh = os.path.join(args.psst_build, "bench", "psst_bench_hh")
        self.handwritten = os.path.join(args.psst_build, "bench", "psst_bench_handwritten")
        self.threads = [1] + ([args.all_threads] if args.all_threads > 1 else [])
        self.started = time.time()
        self.meta = None  # after the peers are installed

    def thr(self, t):
        return f"{t} thr" + (" (all)" if t == self.args.all_threads and t > 1 else "")

    def machine(self):
        cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")

        def cmd(c):
            try:
                return subprocess.run(c, capture_output=True, text=True, cwd=ROOT).stdout.strip()
            except OSError:
                return "?"
        return {
            "date": datetime.datetime.now().isoformat(timespec="seconds"), "host": platform.node(),
            "cpu": cpu, "cores": os.cpu_count(), "all_threads": self.args.all_threads,
            "load_average_at_start": os.getloadavg(),
            "psst_git": cmd(["git", "rev-parse", "--short", "HEAD"]),
            "psst_git_dirty_files": len(cmd(["git", "status", "--porcelain", "--untracked-files=no"]).splitlines()),
            "psst_build": os.path.relpath(self.args.psst_build, ROOT), "compiler": cmd(["c++", "--version"]).splitlines()[0:1],
            "brian2": cmd([PY, "-c", "import brian2; print(brian2.__version__)"]) if not self.args.skip_brian2 else None,
            "neuron": cmd([PY, "-c", "import neuron; print(neuron.__version__)"]).splitlines()[-1:]
            if not self.args.skip_neuron else None,
            "argv": sys.argv[1:],
        }

    # ------------------------------------------------------------ rows

    def add(self, model, n, tool, threads, method, **kw):
        n = n if n is not None else kw.get("peer_N", {"a": 120, "b": 4000}.get(model[1]))
        method = method or kw.get("method") or kw.get("peer_method") or {"a": "rk4", "b": "exponential_euler"}.get(model[1])
        if tool.startswith("Brian2") and "note" not in kw:
            method += " (-ffast-math)"
        if n and kw.get("steps") and kw.get("sim_wall_s"):  # more digits than psst's summary line gives
            kw["neuron_steps_per_s"] = n * kw["steps"] / kw["sim_wall_s"]
        row = dict(model=model, N=n, tool=tool, threads=threads, method=method, **kw)
        self.rows.append(row)
        self.write()
        rate = row.get("neuron_steps_per_s")
        log(f"{model} N={n} {tool}: " + (f"sim {row['sim_wall_s']:.3f} s, {rate:.3g} neuron-steps/s, "
                                          f"{row.get('spikes')} spikes" if rate else row.get("note", "")))
        return row

    def attempt(self, model, n, tool, threads, method, fn):
        log(f"{model} N={n} {tool} ...")
        try:
            res = fn()
            for k in ("model", "tool", "N", "threads", "method"):  # a peer's own names of these
                if k in res:
                    res["peer_" + k] = res.pop(k)
            return self.add(model, n, tool, threads, method, **res)
        except Exception as e:  # one tool failing must not lose the others
            return self.add(model, n, tool, threads, method, note=f"FAILED: {e}".replace(ROOT + os.sep, "").replace("\n", " | ")[:600])

    # ------------------------------------------------------------ psst

    def psst_run(self, model_file, backend, threads, cache, extra=()):
        out_h5 = os.path.join(self.tmp, "out.h5")
        env = dict(os.environ, PSST_CACHE_DIR=cache)
        cmd = [self.psst, "run", model_file, "--backend", backend, "--threads", str(threads),
               "-o", out_h5, "--overwrite", *extra]
        out, err, wall = run(cmd, env=env)
        res = parse_psst(out + err)  # the summary goes to stderr on a terminal, to stdout otherwise
        if "sim_wall_s" not in res:
            raise RuntimeError(f"no summary line from psst: {(out + err)[-400:]}")
        res["process_wall_s"] = wall
        res["setup_s"] = max(0.0, wall - res["sim_wall_s"] - res.get("compile_cold_s", res.get("compile_cached_s", 0.0)))
        by_pop = spikes_by_population(out_h5)
        if by_pop and len(by_pop) > 1:
            res["spikes_by_population"] = by_pop
        os.remove(out_h5)
        return res

    def psst_network(self, key, model_file):
        """(a), (b): psst run, cold (fresh PSST_CACHE_DIR) then cached, per thread count; the reference."""
        model = MODELS[key]
        for t in self.threads:
            def one(t=t):
                cache = tempfile.mkdtemp(dir=self.tmp, prefix="cache_")
                cold = self.psst_run(model_file, "cpu", t, cache)
                warm = self.psst_run(model_file, "cpu", t, cache)
                warm["compile_cold_s"] = cold.get("compile_cold_s")
                warm["cold_run_sim_wall_s"] = cold["sim_wall_s"]
                return warm
            self.attempt(model, None, f"psst cpu {self.thr(t)}", t, None, one)
        for t in ([] if self.args.skip_fast else self.threads):  # math = "fast": the graph's rewrites
            def fast(t=t):
                cache = tempfile.mkdtemp(dir=self.tmp, prefix="cache_fast_")
                self.psst_run(model_file, "cpu", t, cache, ["--math", "fast"])
                return self.psst_run(model_file, "cpu", t, cache, ["--math", "fast"])
            self.attempt(model, None, f"psst cpu --math fast {self.thr(t)}", t, None, fast)
        if not self.args.skip_reference:
            self.attempt(model, None, "psst reference", 1, None,
                         lambda: self.psst_run(model_file, "reference", 1, tempfile.mkdtemp(dir=self.tmp)))

    # ------------------------------------------------------------ peers

    def brian2(self, key, peer_model, n=None, duration=None):
        if self.args.skip_brian2 or not self.have_brian2:
            return
        for t in self.threads:
            def one(t=t):
                cmd = [PY, os.path.join(PEERS, "brian2_models.py"), peer_model, "--threads", str(t)]
                cmd += ["--n", str(n)] if n else []
                cmd += ["--duration", str(duration)] if duration else []
                res = last_json(run(cmd)[0])
                res["setup_s"] = res["binary_wall_s"] - res["sim_wall_s"]
                return res
            self.attempt(MODELS[key], n, f"Brian2 standalone {self.thr(t)}", t, None, one)

    def neuron(self, key, peer_model, n=None, duration=None):
        if self.args.skip_neuron:
            return
        if key == "a":
            self.add(MODELS[key], None, "NEURON", 1, "-", note="not fitted: the graded GABA_A release depends on the "
                     "presynaptic voltage in every step (POINTER-coupled synapse mechanisms); not written")
            return
        if not self.have_neuron:
            self.add(MODELS[key], n, "NEURON", 1, "-", note="NEURON not installed")
            return
        for t in self.threads:
            def one(t=t):
                cmd = [PY, os.path.join(PEERS, "neuron_models.py"), peer_model, "--threads", str(t)]
                cmd += ["--n", str(n)] if n else []
                cmd += ["--duration", str(duration)] if duration else []
                return last_json(run(cmd)[0])
            self.attempt(MODELS[key], n, f"NEURON {self.thr(t)}", t, None, one)

    # ------------------------------------------------------------ the models

    def model_a(self):
        f = os.path.join(ROOT, "models", "locust_al.toml")
        self.psst_network("a", f)
        self.brian2("a", "al")
        self.neuron("a", "al")

    def model_b(self):
        f = os.path.join(ROOT, "models", "cobahh.toml")
        self.psst_network("b", f)
        self.brian2("b", "cobahh")
        self.neuron("b", "cobahh")

    def hh_toml(self, n):
        text = open(os.path.join(ROOT, "models", "hh.toml")).read()
        text, k1 = re.subn(r"(?m)^size = 1\b", f"size = {n}", text)
        text, k2 = re.subn(r'(?m)^variables = \["V", "m", "h", "n"\]', "variables = []", text)
        if k1 != 1 or k2 != 1:
            raise RuntimeError("models/hh.toml changed: cannot set its size and drop its state records")
        path = os.path.join(self.tmp, f"hh_{n}.toml")
        with open(path, "w") as f:
            f.write(text)
        return path

    def hh_duration(self, n):
        base = HH_DEFAULT_MS.get(float(n), min(100.0, 1e7 / n))
        return min(100.0, base * self.args.duration_scale)

    def model_c(self):
        model = MODELS["c"]
        sizes = [int(float(s)) for s in self.args.sizes.split(",") if s]
        use_bench = os.path.exists(self.bench_hh)
        cache = tempfile.mkdtemp(dir=self.tmp, prefix="cache_hh_")
        compile_cold = compile_cached = None
        if use_bench:  # the kernels do not depend on N: compile them once, cold, into a fresh cache
            try:
                env = dict(os.environ, PSST_CACHE_DIR=cache)
                compile_cold = parse_psst(run([self.bench_hh, "1", "0.1", "cpu", "rk4", "1"], env=env)[0]).get("compile_cold_s")
                compile_cached = parse_psst(run([self.bench_hh, "1", "0.1", "cpu", "rk4", "1"], env=env)[0]).get("compile_cached_s")
            except Exception as e:
                log(f"psst_bench_hh failed ({e}); timing psst run instead")
                use_bench = False
        else:
            log(f"{self.bench_hh} not found: psst rows of (c) time `psst run` of a generated model file")
        for n in sizes:
            duration = self.hh_duration(n)
            steps = int(round(duration / 0.01))
            ref_duration = min(duration, max(1, int(self.args.reference_max_neuron_steps / n)) * 0.01)
            toml = self.hh_toml(n)
            spikes = {}

            def psst_spikes(d):  # the spike count of psst (all backends agree bitwise), from psst run
                if d not in spikes:
                    try:
                        r = self.psst_run(toml, "cpu", self.args.all_threads, cache, ["--duration", str(d)])
                        spikes[d] = (r["spikes"], r)
                    except Exception as e:
                        log(f"psst run for spikes failed: {e}")
                        spikes[d] = (None, None)
                return spikes[d][0]

            for t in self.threads:
                def one(t=t):
                    if use_bench:
                        env = dict(os.environ, PSST_CACHE_DIR=cache)
                        res = parse_psst(run([self.bench_hh, str(n), str(duration), "cpu", "rk4", str(t)], env=env)[0])
                        res.update(duration_ms=duration, steps=steps, compile_cold_s=compile_cold,
                                   compile_cached_s=compile_cached, spikes=psst_spikes(duration),
                                   spikes_from="psst run of the same model, same duration", timed_by="psst_bench_hh")
                    else:
                        res = self.psst_run(toml, "cpu", t, cache, ["--duration", str(duration)])
                    return res
                self.attempt(model, n, f"psst cpu {self.thr(t)}", t, "rk4", one)
            for t in ([] if self.args.skip_fast or not use_bench else self.threads):
                def fast(t=t):
                    env = dict(os.environ, PSST_CACHE_DIR=cache)
                    args = [self.bench_hh, str(n), str(duration), "cpu", "rk4", str(t), "double", "fast"]
                    run(args[:2] + ["0.1"] + args[3:], env=env)  # compiles the fast kernels into the cache
                    res = parse_psst(run(args, env=env)[0])
                    res.update(duration_ms=duration, steps=steps, timed_by="psst_bench_hh")
                    return res
                self.attempt(model, n, f"psst cpu --math fast {self.thr(t)}", t, "rk4", fast)
            if not self.args.skip_reference:
                def ref():
                    if use_bench:
                        res = parse_psst(run([self.bench_hh, str(n), str(ref_duration), "reference", "rk4", "1"])[0])
                        res.update(duration_ms=ref_duration, steps=int(round(ref_duration / 0.01)),
                                   spikes=psst_spikes(ref_duration), timed_by="psst_bench_hh")
                    else:
                        res = self.psst_run(toml, "reference", 1, cache, ["--duration", str(ref_duration)])
                    return res
                self.attempt(model, n, "psst reference", 1, "rk4", ref)
            for t in self.threads:
                if not os.path.exists(self.handwritten):
                    if t == 1:
                        self.add(model, n, "psst hand-written kernel", t, "rk4",
                                 note=f"skipped: {os.path.relpath(self.handwritten, ROOT)} not built")
                    continue

                def hand(t=t):
                    out, err, wall = run([self.handwritten, str(n), str(duration), str(t)])
                    text = out + err
                    m = re.search(NUM + r" neuron-steps/s", text)
                    if not m:
                        raise RuntimeError(f"no neuron-steps/s in: {text[-300:]}")
                    rate = float(m.group(1))
                    sim = re.search(r"run " + NUM + " s", text)
                    sp = re.search(r"(\d+) spikes", text)
                    flags = re.search(r"\(([^)]*)\)", text)
                    return dict(duration_ms=duration, steps=steps, neuron_steps_per_s=rate,
                                method="rk4" + (" (-ffast-math)" if flags and "-ffast-math" in flags.group(1) else ""),
                                sim_wall_s=float(sim.group(1)) if sim else n * steps / rate,
                                spikes=int(sp.group(1)) if sp else None, process_wall_s=wall, output=text.strip()[-300:])
                self.attempt(model, n, f"psst hand-written kernel {self.thr(t)}", t, None, hand)
            self.brian2("c", "hh", n, duration)
            self.neuron("c", "hh", n, duration)

    # ------------------------------------------------------------ output

    def finish_rows(self):
        """The speed-up over Brian2 standalone at the same thread count, by neuron-steps/s."""
        for r in self.rows:
            brian = [b for b in self.rows if b["model"] == r["model"] and b["N"] == r["N"]
                     and b["tool"].startswith("Brian2") and b["threads"] == r["threads"] and b.get("neuron_steps_per_s")]
            if brian and r.get("neuron_steps_per_s") and not r["tool"].startswith("Brian2"):
                r["speedup_vs_brian2"] = r["neuron_steps_per_s"] / brian[0]["neuron_steps_per_s"]

    def table(self):
        def s(x, digits=3):
            if x is None:
                return "-"
            if isinstance(x, float):
                if x == 0:
                    return "0.00"
                return f"{x:.{digits}g}" if 1e-3 <= abs(x) < 1e5 else f"{x:.2e}"
            return str(x)

        def size(n):
            if n and n >= 1000 and 10 ** round(math.log10(n)) == n:
                return f"1e{round(math.log10(n))}"
            return s(n)

        head = ["model", "N", "tool", "method", "duration (ms)", "compile cold (s)", "compile cached/load (s)",
                "setup (s)", "sim wall (s)", "neuron-steps/s", "spikes", "speed-up vs Brian2 (Brian2 time / this time, same threads)"]
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for r in self.rows:
            spikes = s(r.get("spikes"))
            if r.get("spikes_by_population") and len(r["spikes_by_population"]) > 1:
                spikes += " (" + ", ".join(f"{k} {v}" for k, v in sorted(r["spikes_by_population"].items())) + ")"
            if "note" in r:
                cells = [r["model"], size(r["N"]), r["tool"], s(r["method"]), "", "", "", "", "", "", "", r["note"]]
            else:
                sp = r.get("speedup_vs_brian2")
                cells = [r["model"], size(r["N"]), r["tool"],
                         s(r["method"]), s(r.get("duration_ms"), 6), s(r.get("compile_cold_s")),
                         s(r.get("compile_cached_s")), s(r.get("setup_s")), s(r.get("sim_wall_s"), 4),
                         s(r.get("neuron_steps_per_s")), spikes, f"{sp:.2f}x" if sp else ""]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def write(self, final=False):
        self.finish_rows()
        os.makedirs(self.args.out_dir, exist_ok=True)
        meta = dict(self.meta, finished=final, elapsed_s=time.time() - self.started,
                    load_average_now=os.getloadavg(),
                    hh_durations_ms={s: self.hh_duration(int(float(s))) for s in self.args.sizes.split(",") if s})
        with open(os.path.join(self.args.out_dir, "side_by_side.json"), "w") as f:
            json.dump({"meta": meta, "rows": self.rows}, f, indent=1)
        text = self.markdown(meta)
        with open(os.path.join(self.args.out_dir, "side_by_side.md"), "w") as f:
            f.write(text)
        return text

    def markdown(self, meta):
        m = meta
        text = [
            "# psst side by side with Brian2 and NEURON" + ("" if m["finished"] else " (INCOMPLETE: still running or stopped)"),
            "",
            f"{m['date']} on {m['host']}: {m['cpu']}, {m['cores']} cores; 'all' = {m['all_threads']} threads; "
            f"load average {m['load_average_at_start'][0]:.2f} at the start, {m['load_average_now'][0]:.2f} at the end "
            f"(other jobs on the machine slow the runs that use every core). psst {m['psst_git']}"
            f"{' + ' + str(m['psst_git_dirty_files']) + ' modified files' if m['psst_git_dirty_files'] else ''} "
            f"({m['psst_build']}), Brian2 {m['brian2'] or '-'}, NEURON {(m['neuron'] or ['-'])[0] if m['neuron'] else '-'}, "
            f"{(m['compiler'] or ['?'])[0]}. Took {m['elapsed_s'] / 60:.1f} min. "
            f"Command: `/usr/bin/python3 bench/side_by_side.py {' '.join(m['argv'])}`.",
            "",
            "Durations: " + "; ".join(
                (["(a), (b): 1000 ms"] if set(m["only"]) & {"a", "b"} else []) +
                ([", ".join(f"(c) N = {k}: {v:g} ms" for k, v in m["hh_durations_ms"].items()) +
                  f" (the psst reference interpreter at most {self.args.reference_max_neuron_steps:.0e} neuron-steps; "
                  "see its duration column)"] if "c" in m["only"] else [])) + ". Rates (neuron-steps/s) do not depend on the duration "
            "once the run is long enough, so rows of different durations compare by rate; spikes only within equal durations.",
            "",
            self.table(),
            "",
            "Columns: *compile cold* = generating and compiling the model's code into an empty cache/directory "
            "(psst: `PSST_CACHE_DIR` fresh; Brian2: `device.build` into a fresh directory, code generation + `make -j<cores>`; "
            "NEURON: `nrnivmodl` of the .mod files); *compile cached/load* = the same with everything compiled "
            "(psst: kernels loaded from the cache; Brian2: a fresh Python process building into the same directory, "
            "code generation + a make with nothing to do; NEURON: loading libnrnmech.so); *setup* = the rest outside "
            "the simulation loop (psst run: process wall minus simulation and compile, including HDF5 output; "
            "psst_bench_hh: building the simulation; Brian2: the standalone binary's wall time minus its run; NEURON: "
            "building sections, synapses and NetCons and `finitialize`); *sim wall* = the simulation loop only, "
            "wall clock (psst's own report; Brian2's `device._last_run_time`; NEURON `h.continuerun`); "
            "*neuron-steps/s* = N x steps / sim wall; *speed-up vs Brian2* = that tool's neuron-steps/s divided by "
            "Brian2 standalone's at the same thread count (the reference and the 1-thread rows against Brian2 with 1 "
            "thread): > 1 means faster than Brian2.",
            "",
            "Caveats: Brian2 compiles with `-O3 -ffast-math -fno-finite-math-only -march=native` (its default); psst "
            "with `-O3 -fno-fast-math -ffp-contract=off -march=native`. Brian2 integrates each group on its own (in "
            "(a) the synaptic currents and presynaptic voltages are those of the step's start); psst couples every "
            "population and projection in each RK stage. NEURON integrates with backward Euler (v) and `cnexp` "
            "(gates), not RK4; dt = 0.01 ms (h.steps_per_ms = 100) in (c), 0.1 ms in (b). Connectivity and random "
            "initial values are drawn by each tool's own RNG (the same rule, a different sample), so spike counts of "
            "(a) and (b) agree only statistically; (c) has no randomness. Brian2 counts a spike as psst does: an "
            "upward crossing (threshold and refractoriness on the same condition), timed at the step's start. In (c) "
            "the psst rows are timed by `psst_bench_hh` (no output) and their spikes come from a `psst run` of the "
            "same model and duration (every psst backend gives the same bits).",
        ]
        return "\n".join(text) + "\n"


def main():
    args = parse_args()
    only = [k.strip() for k in args.only.split(",") if k.strip()]
    if any(k not in MODELS for k in only):
        raise SystemExit(f"--only takes a, b, c; got {args.only}")
    bench = Bench(args)
    if not os.path.exists(bench.psst):
        raise SystemExit(f"{bench.psst} not found: build psst first (bench/README.md) or pass --psst-build")
    bench.have_brian2 = args.skip_brian2 or ensure_packages(["python3-brian"], "brian2")
    bench.have_neuron = args.skip_neuron or ensure_packages(["python3-neuron", "neuron-dev"], "neuron")
    bench.meta = bench.machine()
    log(f"models {','.join(only)}; " + ("(c) sizes and durations: " + ", ".join(
        f"N = {s}: {bench.hh_duration(int(float(s))):g} ms" for s in args.sizes.split(",") if s) + "; "
        if "c" in only else "") + f"threads {bench.threads}; results to {args.out_dir}")
    bench.meta["only"] = only
    try:
        for key in only:
            getattr(bench, f"model_{key}")()
    finally:
        text = bench.write(final=True)
        shutil.rmtree(bench.tmp, ignore_errors=True)
    print(text)
    print(f"wrote {os.path.join(args.out_dir, 'side_by_side.md')} and side_by_side.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
