"""psst's benchmark models in NEURON 8.2 (Debian's python3-neuron + neuron-dev), for
bench/side_by_side.py. One configuration per call; prints ONE JSON line on stdout.

  /usr/bin/python3 bench/peers/neuron_models.py hh --n 1000 --duration 100 --threads 1
  /usr/bin/python3 bench/peers/neuron_models.py cobahh --duration 1000 --threads 1 --seed 7

Models:
  hh      N independent PSST HH neurons (models/hh.toml): one single-compartment section per
          neuron with the mechanism psst_hh (bench/peers/nrn/psst_hh.mod: PSST's Traub kinetics,
          phi = 3^((22 - 36)/10), I_inj = 10 uA/cm2 inside the mechanism; NEURON's built-in `hh`
          is the squid model at 6.3 C, not this one). dt = 0.01 ms.
  cobahh  COBAHH (models/cobahh.toml): 4000 single-compartment sections with cobahh_hh.mod
          (Traub-Miles Na/K + leak per unit area, 20000 um2 each), one ExpSyn per cell for
          excitation (e = 0 mV, tau = 5 ms) and one for inhibition (e = -80, tau = 10),
          NetCons with weights 6 nS / 67 nS and delay 0.1 ms (psst: one step), connectivity p = 0.02 drawn with
          numpy (seeded), initial v, ge, gi drawn as in psst's model file. dt = 0.1 ms.
  The locust antennal lobe is not fitted: its GABA_A synapses release transmitter graded by
  the presynaptic voltage at every stage, which needs POINTER-coupled synapse mechanisms.

Method: NEURON's fixed step (h.secondorder = 0): backward (implicit) Euler for v, the gates
by `cnexp` (exact exponential step with v held over the step). This differs from psst's RK4
for hh (psst's exponential Euler for cobahh is the closer relative). h.dt = dt and
h.steps_per_ms = 1/dt: NEURON's stdrun otherwise silently changes dt. cache_efficient on.
Spikes: a NetCon per cell on v(0.5) (threshold 0 mV for hh, -20 mV for cobahh), recorded.

Mechanisms are compiled by nrnivmodl into a fresh temporary directory. Debian's nrnivmodl looks
for its makefile in /usr/bin; the real one is /usr/lib/nrn/nrnmech_makefile, with the libraries
in /usr/lib/nrn. This script runs a patched copy of nrnivmodl that uses those paths and builds
only the mechanism library (the `special` executable needs ivstream.h, which Debian lacks).

Timing (wall clock, seconds): compile_cold_s = nrnivmodl; compile_cached_s = loading the
compiled mechanism library (nrn_load_dll); setup_s = building the cells, synapses, NetCons and
h.finitialize; sim_wall_s = h.continuerun(tstop).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
MOD_DIR = os.path.join(HERE, "nrn")
NRN_LIB = "/usr/lib/nrn"


def patched_nrnivmodl(directory):
    """Debian's /usr/bin/nrnivmodl with its makefile and library paths corrected."""
    text = open(shutil.which("nrnivmodl") or "/usr/bin/nrnivmodl").read()
    makefile = os.path.join(NRN_LIB, "nrnmech_makefile")
    if not os.path.exists(os.path.join("/usr/bin", "nrnmech_makefile")):
        text = text.replace('-f "${bindir}/nrnmech_makefile"', f'-f "{makefile}" "libdir={NRN_LIB}"')
    # Only the mechanism library is needed: Debian lacks ivstream.h, which the `special` executable needs.
    text = text.replace('"LinkCoreNEURON=$LinkCoreNEURON" special &&', '"LinkCoreNEURON=$LinkCoreNEURON" mech_lib_shared &&')
    path = os.path.join(directory, "nrnivmodl_fixed")
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o755)
    return path


def compile_mechanisms(directory):
    for name in os.listdir(MOD_DIR):
        if name.endswith(".mod"):
            shutil.copy(os.path.join(MOD_DIR, name), directory)
    script = patched_nrnivmodl(directory)
    start = time.perf_counter()
    proc = subprocess.run([script], cwd=directory, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit("nrnivmodl failed")
    for candidate in ("x86_64/.libs/libnrnmech.so", "x86_64/libnrnmech.so"):
        if os.path.exists(os.path.join(directory, candidate)):
            return seconds, os.path.join(directory, candidate)
    raise SystemExit(f"nrnivmodl made no libnrnmech.so in {directory}")


def build_hh(h, n, rng):
    cells = []
    for k in range(n):
        sec = h.Section(name=f"hh{k}")
        sec.L = sec.diam = 10.0  # the area does not matter: a density mechanism alone, no point process
        sec.nseg = 1
        sec.cm = 1.0
        sec.insert("psst_hh")
        cells.append(sec)
    return cells, [], 0.0, -71.0, None


def build_cobahh(h, n, rng):
    diam = np.sqrt(20000.0 / np.pi)  # um: a cylinder of length = diameter has area pi d^2 = 20000 um2
    cells, syn_e, syn_i = [], [], []
    for k in range(n):
        sec = h.Section(name=f"c{k}")
        sec.L = sec.diam = diam
        sec.nseg = 1
        sec.cm = 1.0
        sec.insert("cobahh_hh")
        e = h.ExpSyn(sec(0.5))
        e.tau, e.e = 5.0, 0.0
        i = h.ExpSyn(sec(0.5))
        i.tau, i.e = 10.0, -80.0
        cells.append(sec)
        syn_e.append(e)
        syn_i.append(i)
    netcons = []
    n_exc = n * 4 // 5
    for pre in range(n):  # each pair (pre, post) with probability 0.02, self-connections included as in psst
        targets = np.nonzero(rng.random(n) < 0.02)[0]
        syns, w = (syn_e, 0.006) if pre < n_exc else (syn_i, 0.067)  # uS
        for post in targets:
            nc = h.NetCon(cells[pre](0.5)._ref_v, syns[post], sec=cells[pre])
            nc.threshold, nc.delay, nc.weight[0] = -20.0, 0.1, w  # one step, as psst delivers (delay 0 rounds up to 1 step)
            netcons.append(nc)
    v0 = rng.normal(-65.0, 5.0, n)
    ge0 = rng.normal(40.0, 15.0, n) * 1e-3  # nS -> uS
    gi0 = rng.normal(200.0, 120.0, n) * 1e-3

    def initial():  # after h.finitialize: per-cell initial v and conductances
        for k in range(n):
            cells[k].v = v0[k]
            syn_e[k].g = ge0[k]
            syn_i[k].g = gi0[k]
        h.fcurrent()
    return cells, netcons + syn_e + syn_i, -20.0, -65.0, initial


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("model", choices=["hh", "cobahh"])
    p.add_argument("--n", type=int, default=None, help="neurons (hh: default 1000; cobahh: 4000)")
    p.add_argument("--duration", type=float, default=None, help="ms (hh 100, cobahh 1000)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--keep", action="store_true", help="keep the compiled mechanism directory")
    args = p.parse_args(argv)
    dt = 0.01 if args.model == "hh" else 0.1
    n = args.n or (1000 if args.model == "hh" else 4000)
    duration = args.duration or (100.0 if args.model == "hh" else 1000.0)

    directory = tempfile.mkdtemp(prefix=f"neuron_{args.model}_")
    compile_s, library = compile_mechanisms(directory)
    from neuron import h, __version__ as neuron_version
    start = time.perf_counter()
    h.nrn_load_dll(library)
    load_s = time.perf_counter() - start
    h.load_file("stdrun.hoc")

    rng = np.random.default_rng(args.seed)
    start = time.perf_counter()
    build = build_hh if args.model == "hh" else build_cobahh
    cells, keep_alive, threshold, v_init, initial = build(h, n, rng)
    threshold = 0.0 if args.model == "hh" else threshold
    spike_t, spike_id = h.Vector(), h.Vector()
    recorders = []
    for k, sec in enumerate(cells):
        nc = h.NetCon(sec(0.5)._ref_v, None, sec=sec)
        nc.threshold = threshold
        nc.record(spike_t, spike_id, k)
        recorders.append(nc)
    pc = h.ParallelContext()
    pc.nthread(args.threads)
    h.cvode_active(0)
    h.cvode.cache_efficient(1)
    h.secondorder = 0
    h.dt = dt
    h.steps_per_ms = 1.0 / dt
    h.tstop = duration
    h.v_init = v_init
    h.finitialize(v_init)
    if initial:
        initial()
    setup_s = time.perf_counter() - start

    start = time.perf_counter()
    h.continuerun(duration)
    sim_s = time.perf_counter() - start
    steps = int(round(duration / dt))
    if abs(h.dt - dt) > 1e-12 or abs(h.t - duration) > dt / 2:
        raise SystemExit(f"NEURON changed dt or stopped early: dt = {h.dt}, t = {h.t}")
    result = {
        "tool": "neuron", "model": args.model, "N": n, "threads": args.threads,
        "method": "backward Euler (v) + cnexp (gates)", "dt_ms": dt, "duration_ms": duration,
        "steps": steps, "seed": args.seed, "neuron_version": neuron_version,
        "compile_cold_s": compile_s, "compile_cached_s": load_s, "setup_s": setup_s, "sim_wall_s": sim_s,
        "spikes": int(spike_t.size()), "neuron_steps_per_s": n * steps / sim_s,
        "timing": "compile_cold_s = nrnivmodl, compile_cached_s = nrn_load_dll, sim_wall_s = h.continuerun",
    }
    if args.model == "cobahh":
        result["synapses"] = sum(1 for x in keep_alive if x.hname().startswith("NetCon"))
    pc.nthread(1)
    if args.keep:
        result["directory"] = directory
    else:
        shutil.rmtree(directory, ignore_errors=True)
    print(json.dumps(result), flush=True)
    sys.stderr.flush()
    os._exit(0)  # tearing down 1e6 sections takes longer than the run; nothing is left to write


if __name__ == "__main__":
    sys.exit(main())
