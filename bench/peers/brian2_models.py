"""psst's benchmark models in Brian2 2.5 C++ standalone mode (Debian's python3-brian),
for bench/side_by_side.py. One configuration per call; prints ONE JSON line on stdout.

  /usr/bin/python3 bench/peers/brian2_models.py hh     --n 1000 --duration 100 --threads 1
  /usr/bin/python3 bench/peers/brian2_models.py al     --duration 1000 --threads 1
  /usr/bin/python3 bench/peers/brian2_models.py cobahh --duration 1000 --threads 1 --seed 7

Models (the same equations, parameters, method and dt as psst's model files):
  hh      N independent PSST HH neurons (models/hh.toml), RK4, dt = 0.01 ms, I_inj = 10
  al      the locust antennal lobe (models/locust_al.toml), RK4, dt = 0.01 ms; parameters and the
          per-neuron odour mask `stimulated` are read from the TOML file; connectivity (p = 0.5,
          no LN self-connections) and the 1 % initial jitter are drawn by Brian2's own RNG, so
          the network is a different sample of the same rule as psst's
  cobahh  COBAHH (models/cobahh.toml, Brian2's examples/COBAHH.py), exponential Euler, dt = 0.1 ms,
          the equations of bench/peers/brian2_cobahh.py; connectivity and initial values by
          Brian2's RNG

psst's equations are written in mV, ms, uA/cm2 (or nS, pF); here every variable is a
dimensionless number in those units and each derivative is divided by `ms`, so the
equation text stays that of the model files. A spike is an upward crossing of the
threshold, as in psst: threshold 'V >= 0' with refractory 'V >= 0' (the neuron stays
refractory while the condition holds), spike time = start of the step, like psst.

Differences from psst that remain (see bench/README.md):
  * Brian2 compiles with '-O3 -ffast-math -fno-finite-math-only -march=native' by default
    (prefs.codegen.cpp.extra_compile_args_gcc); psst compiles with -fno-fast-math.
  * Brian2 integrates each group (PN, LN, every synapse group) on its own; synaptic
    currents ((summed) variables) and presynaptic voltages are taken at the start of the
    step, whereas psst couples all populations and projections in every RK stage.

Timing (all wall clock, seconds):
  compile_cold_s    device.build(compile=True, run=False) into a fresh temporary directory:
                    Python-side code generation + `make -jCORES` (Brian2's default is an
                    unbounded `make -j`: one compiler per source file, some 30 at once)
  compile_cached_s  the same build repeated by a fresh Python process into the same directory
                    (Brian2 rewrites only changed files; make has nothing to compile)
  sim_wall_s        Brian2's own timing of the network run inside the binary
                    (device._last_run_time, from results/last_run_info.txt; omp_get_wtime()
                    since OpenMP is always enabled here, openmp_threads >= 1)
  binary_wall_s     wall time of the whole `main` binary (loading arrays, connectivity
                    generation, the run, writing results)
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
METHODS = {"hh": "rk4", "al": "rk4", "cobahh": "exponential_euler"}
DTS = {"hh": 0.01, "al": 0.01, "cobahh": 0.1}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("model", choices=["hh", "al", "cobahh"])
    p.add_argument("--n", type=int, default=1000, help="neurons (hh only)")
    p.add_argument("--duration", type=float, default=None, help="ms (default: hh 100, al/cobahh 1000)")
    p.add_argument("--threads", type=int, default=1, help="prefs.devices.cpp_standalone.openmp_threads")
    p.add_argument("--seed", type=int, default=None, help="Brian2 seed (default al 2001, cobahh 7, hh 0)")
    p.add_argument("--model-file", default=None, help="TOML file of the al model (default models/locust_al.toml)")
    p.add_argument("--directory", default=None, help="project directory (default: a fresh temporary one)")
    p.add_argument("--keep", action="store_true", help="keep the project directory")
    p.add_argument("--no-cached", action="store_true", help="skip the cached-rebuild measurement")
    p.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)  # the cached rebuild
    return p.parse_args(argv)


def build_hh(b2, n):
    eqs = """
    dV/dt = (I_inj - I_Na - I_K - I_L) / C_m / ms : 1
    dm/dt = -(m - m_0) / (tau_m * ms) : 1
    dh/dt = -(h - h_0) / (tau_h * ms) : 1
    dn/dt = -(n - n_0) / (tau_n * ms) : 1
    I_Na = g_Na * m*m*m * h * (V - E_Na) : 1
    I_K  = g_K * n*n*n*n * (V - E_K) : 1
    I_L  = g_L * (V - E_L) : 1
    u = V + 50 : 1
    alpha_m = 0.32 * (13 - u) / (exp((13 - u) / 4) - 1) : 1
    beta_m  = 0.28 * (u - 40) / (exp((u - 40) / 5) - 1) : 1
    alpha_h = 0.128 * exp((17 - u) / 18) : 1
    beta_h  = 4 / (exp((40 - u) / 5) + 1) : 1
    alpha_n = 0.02 * (15 - u) / (exp((15 - u) / 5) - 1) : 1
    beta_n  = 0.5 * exp((10 - u) / 40) : 1
    m_0 = alpha_m / (alpha_m + beta_m) : 1
    h_0 = alpha_h / (alpha_h + beta_h) : 1
    n_0 = alpha_n / (alpha_n + beta_n) : 1
    tau_m = 1 / ((alpha_m + beta_m) * phi) : 1
    tau_h = 1 / ((alpha_h + beta_h) * phi) : 1
    tau_n = 1 / ((alpha_n + beta_n) * phi) : 1
    """
    ns = dict(I_inj=10.0, C_m=1.0, g_Na=100.0, E_Na=50.0, g_K=10.0, E_K=-95.0, g_L=0.15, E_L=-55.0,
              phi=3.0 ** ((22 - 36) / 10), ms=b2.ms)
    g = b2.NeuronGroup(n, eqs, threshold="V >= 0", refractory="V >= 0", method="rk4", namespace=ns, name="HH")
    g.V = -71.0
    g.m = g.h = g.n = 0.0
    return [g], [b2.SpikeMonitor(g, record=False, name="spikes_HH")], {"HH": n}


STIM = """
    t_s = floor(t / dt + 1e-6) * (dt / ms) : 1
    y = int(t_s >= 100 and t_s < 600) * (1 - exp(-(t_s - 100) / 75)) + int(t_s >= 600) * 0.9996 * exp(-(t_s - 600) / 150) : 1
    I_stim = 10 * stimulated * y : 1
    stimulated : 1 (constant)
"""
K_TRAUB = """
    I_K  = g_K * n*n*n*n * (V - E_K) : 1
    I_L  = g_L * (V - E_L) : 1
    I_KL = g_KL * (V - E_KL) : 1
    u = V + 50 : 1
    alpha_n = 0.02 * (15 - u) / (exp((15 - u) / 5) - 1) : 1
    beta_n  = 0.5 * exp((10 - u) / 40) : 1
    n_0 = alpha_n / (alpha_n + beta_n) : 1
    tau_n = 1 / ((alpha_n + beta_n) * phi) : 1
"""


RENAMED = {"mA": "m_A", "hA": "h_A"}  # 'mA' is Brian2's milliampere, not a valid variable name


def build_al(b2, model_file):
    with open(model_file, "rb") as f:
        spec = tomllib.load(f)
    pops = spec["populations"]
    pn_eqs = """
    dV/dt = (I_stim - I_L - I_Na - I_K - I_A - I_KL - I_gaba) / C_m / ms : 1
    dm/dt = -(m - m_0) / (tau_m * ms) : 1
    dh/dt = -(h - h_0) / (tau_h * ms) : 1
    dn/dt = -(n - n_0) / (tau_n * ms) : 1
    dm_A/dt = -(m_A - m_A_0) / (tau_m_A * ms) : 1
    dh_A/dt = -(h_A - h_A_0) / (tau_h_A * ms) : 1
    I_gaba : 1
    I_Na = g_Na * m*m*m * h * (V - E_Na) : 1
    I_A  = g_A * m_A*m_A*m_A*m_A * h_A * (V - E_A) : 1
    alpha_m = 0.32 * (13 - u) / (exp((13 - u) / 4) - 1) : 1
    beta_m  = 0.28 * (u - 40) / (exp((u - 40) / 5) - 1) : 1
    alpha_h = 0.128 * exp((17 - u) / 18) : 1
    beta_h  = 4 / (exp((40 - u) / 5) + 1) : 1
    m_0 = alpha_m / (alpha_m + beta_m) : 1
    h_0 = alpha_h / (alpha_h + beta_h) : 1
    tau_m = 1 / ((alpha_m + beta_m) * phi) : 1
    tau_h = 1 / ((alpha_h + beta_h) * phi) : 1
    m_A_0 = 1 / (1 + exp(-(V + 60) / 8.5)) : 1
    h_A_0 = 1 / (1 + exp((V + 78) / 6)) : 1
    tau_m_A = 1 / (exp((V + 35.82) / 19.69) + exp(-(V + 79.69) / 12.7) + 0.37) / phi_A : 1
    tau_h_A = int(V < -63) * (1 / (exp((V + 46.05) / 5) + exp(-(V + 238.4) / 37.45)) / phi_A) + int(V >= -63) * (19 / phi_A) : 1
    """ + K_TRAUB + STIM
    ln_eqs = """
    dV/dt = (I_stim - I_L - I_Ca - I_K - I_KCa - I_KL - I_gaba - I_ach) / C_m / ms : 1
    dn/dt = -(n - n_0) / (tau_n * ms) : 1
    dmCa/dt = -(mCa - mCa_0) / (tau_mCa * ms) : 1
    dhCa/dt = -(hCa - hCa_0) / (tau_hCa * ms) : 1
    dmKCa/dt = -(mKCa - mKCa_0) / (tau_mKCa * ms) : 1
    dCa/dt = (-A_Ca * I_Ca - (Ca - Ca0) / tau_Ca) / ms : 1
    I_gaba : 1
    I_ach : 1
    I_Ca  = g_Ca * mCa*mCa * hCa * (V - E_Ca) : 1
    I_KCa = g_KCa * mKCa * phi_23 * (V - E_KCa) : 1
    mCa_0 = 1 / (1 + exp(-(V + 20) / 6.5)) : 1
    hCa_0 = 1 / (1 + exp((V + 25) / 12)) : 1
    tau_hCa = 0.3 * exp((V - 40) / 13) + 0.002 * exp((60 - V) / 29) : 1
    alpha_KCa = 0.01 * Ca : 1
    mKCa_0 = alpha_KCa / (alpha_KCa + beta_KCa) : 1
    tau_mKCa = 1 / ((alpha_KCa + beta_KCa) * phi_K) : 1
    """ + K_TRAUB + STIM
    consts = dict(ms=b2.ms, phi=3.0 ** ((22 - 36) / 10), phi_A=3.0 ** ((36 - 23.5) / 10),
                  phi_23=2.3 ** ((23 - 23) / 10), phi_K=2.3 ** ((26 - 23) / 10), beta_KCa=0.02)
    groups, monitors = {}, []
    for name, eqs in (("PN", pn_eqs), ("LN", ln_eqs)):
        params = dict(pops[name]["parameters"])
        stimulated = params.pop("stimulated")
        size = pops[name]["size"]
        g = b2.NeuronGroup(size, eqs, threshold="V >= 0", refractory="V >= 0", method="rk4",
                           namespace={**consts, **params}, name=name)
        g.stimulated = stimulated
        jitter = pops[name].get("jitter", 0.0)
        for var, value in pops[name]["initial"].items():  # each initial value times (1 + jitter N(0,1))
            var = RENAMED.get(var, var)
            setattr(g, var, f"{value!r} * (1 + {jitter!r} * randn())")
        groups[name] = g
        monitors.append(b2.SpikeMonitor(g, record=False, name=f"spikes_{name}"))
    projections = spec["projections"]
    synapses = []
    for name, proj in projections.items():
        par = dict(proj["parameters"])
        (target, expr), = proj["summed"].items()
        if "lastspike_pre" in proj["equations"]:  # cholinergic: a pulse of transmitter after a presynaptic spike
            t_release = "A * int(t > lastspike_pre + t_delay * ms and t < lastspike_pre + (t_delay + t_max) * ms)"
        else:  # GABA_A: graded release
            t_release = "1 / (1 + exp(-(V_pre - V0) / sigma))"
        eqs = f"""
        do/dt = (alpha * (1 - o) * T - beta * o) / ms : 1 (clock-driven)
        T = {t_release} : 1
        {target}_post = {expr} : 1 (summed)
        """
        s = b2.Synapses(groups[proj["pre"]], groups[proj["post"]], eqs, method="rk4",
                        namespace={"ms": b2.ms, **par}, name=name)
        rule = proj["connect"]
        assert rule["rule"] == "probability"
        if rule.get("self", True) or proj["pre"] != proj["post"]:
            s.connect(p=rule["p"])
        else:
            s.connect(condition="i != j", p=rule["p"])
        s.o = 0.0
        synapses.append(s)
    sizes = {name: g.N for name, g in groups.items()}
    return list(groups.values()) + synapses, monitors, sizes


def build_cobahh(b2):
    area = 20000 * b2.umetre ** 2
    ns = dict(
        Cm=(1 * b2.ufarad * b2.cm ** -2) * area, gl=(5e-5 * b2.siemens * b2.cm ** -2) * area,
        El=-60 * b2.mV, EK=-90 * b2.mV, ENa=50 * b2.mV,
        g_na=(100 * b2.msiemens * b2.cm ** -2) * area, g_kd=(30 * b2.msiemens * b2.cm ** -2) * area,
        VT=-63 * b2.mV, taue=5 * b2.ms, taui=10 * b2.ms, Ee=0 * b2.mV, Ei=-80 * b2.mV,
        we=6 * b2.nS, wi=67 * b2.nS, mV=b2.mV, ms=b2.ms, nS=b2.nS)
    eqs = b2.Equations('''
    dv/dt = (gl*(El-v)+ge*(Ee-v)+gi*(Ei-v)-g_na*(m*m*m)*h*(v-ENa)-g_kd*(n*n*n*n)*(v-EK))/Cm : volt
    dm/dt = alpha_m*(1-m)-beta_m*m : 1
    dn/dt = alpha_n*(1-n)-beta_n*n : 1
    dh/dt = alpha_h*(1-h)-beta_h*h : 1
    dge/dt = -ge*(1./taue) : siemens
    dgi/dt = -gi*(1./taui) : siemens
    alpha_m = 0.32*(mV**-1)*4*mV/exprel((13*mV-v+VT)/(4*mV))/ms : Hz
    beta_m = 0.28*(mV**-1)*5*mV/exprel((v-VT-40*mV)/(5*mV))/ms : Hz
    alpha_h = 0.128*exp((17*mV-v+VT)/(18*mV))/ms : Hz
    beta_h = 4./(1+exp((40*mV-v+VT)/(5*mV)))/ms : Hz
    alpha_n = 0.032*(mV**-1)*5*mV/exprel((15*mV-v+VT)/(5*mV))/ms : Hz
    beta_n = .5*exp((10*mV-v+VT)/(40*mV))/ms : Hz
    ''')
    # psst counts upward crossings of v > -20 (no refractory period); Brian2's example uses a
    # 3 ms refractory period, which only matters for spikes closer than 3 ms.
    P = b2.NeuronGroup(4000, model=eqs, threshold='v > -20*mV', refractory='v > -20*mV',
                       method='exponential_euler', namespace=ns, name="cells")
    Ce = b2.Synapses(P[:3200], P, on_pre='ge += we', namespace=ns, name="excitatory")
    Ci = b2.Synapses(P[3200:], P, on_pre='gi += wi', namespace=ns, name="inhibitory")
    Ce.connect(p=0.02)
    Ci.connect(p=0.02)
    P.v = 'El + (randn() * 5 - 5)*mV'
    P.ge = '(randn() * 1.5 + 4) * 10.*nS'
    P.gi = '(randn() * 12 + 20) * 10.*nS'
    P.m = P.n = P.h = 0
    return [P, Ce, Ci], [b2.SpikeMonitor(P, record=False, name="spikes_cells")], {"cells": 4000}


def main(argv=None):
    args = parse_args(argv)
    if args.threads < 1:
        raise SystemExit("--threads must be >= 1 (with 0, Brian2 has no OpenMP and times the run in CPU time)")
    duration = args.duration if args.duration is not None else (100.0 if args.model == "hh" else 1000.0)
    seed = args.seed if args.seed is not None else {"hh": 0, "al": 2001, "cobahh": 7}[args.model]
    model_file = args.model_file or os.path.join(ROOT, "models", "locust_al.toml")
    directory = args.directory or tempfile.mkdtemp(prefix=f"brian2_{args.model}_")
    cold = not os.path.exists(os.path.join(directory, "main"))

    import brian2 as b2
    b2.set_device("cpp_standalone", directory=directory, build_on_run=False)
    b2.prefs.devices.cpp_standalone.openmp_threads = args.threads
    # Brian2's default is an unbounded `make -j` (some 30 compilers at once); one job per core here
    b2.prefs.devices.cpp_standalone.extra_make_args_unix = [f"-j{os.cpu_count() or 1}"]
    b2.defaultclock.dt = DTS[args.model] * b2.ms
    b2.seed(seed)
    if args.model == "hh":
        objects, monitors, sizes = build_hh(b2, args.n)
    elif args.model == "al":
        objects, monitors, sizes = build_al(b2, model_file)
    else:
        objects, monitors, sizes = build_cobahh(b2)
    network = b2.Network(objects + monitors)
    network.run(duration * b2.ms, namespace={})

    start = time.perf_counter()
    b2.device.build(directory=directory, compile=True, run=False, with_output=False)
    compile_s = time.perf_counter() - start
    if args.build_only:
        print(json.dumps({"compile_s": compile_s, "make_s": b2.device.timers["compile"]["make"], "cold": cold}))
        return 0

    b2.device.run(directory, with_output=False, run_args=[])
    spikes = {name: int(m.count[:].sum()) for name, m in zip(sizes, monitors)}
    steps = int(round(duration / DTS[args.model]))
    neurons = sum(sizes.values())
    result = {
        "tool": "brian2", "model": args.model, "N": neurons, "threads": args.threads,
        "method": METHODS[args.model], "dt_ms": DTS[args.model], "duration_ms": duration, "steps": steps,
        "seed": seed, "brian2_version": b2.__version__,
        "compile_cold_s": compile_s if cold else None,
        "make_cold_s": b2.device.timers["compile"]["make"] if cold else None,
        "compile_cached_s": None if cold else compile_s,
        "sim_wall_s": b2.device._last_run_time,
        "binary_wall_s": b2.device.timers["run_binary"],
        "completed_fraction": b2.device._last_run_completed_fraction,
        "spikes": sum(spikes.values()), "spikes_by_population": spikes,
        "neuron_steps_per_s": neurons * steps / b2.device._last_run_time,
        "compile_flags": " ".join(b2.prefs.codegen.cpp.extra_compile_args_gcc),
        "fast_math": "-ffast-math" in b2.prefs.codegen.cpp.extra_compile_args_gcc,
        "timing": "sim_wall_s = device._last_run_time (the network run inside the binary, omp_get_wtime); "
                  "compile = device.build(compile=True, run=False): code generation + make",
    }
    if cold and not args.no_cached:
        # A fresh Python process builds the same network into the same directory: Brian2 writes only
        # changed files, so this is code generation plus a make with nothing (or little) to do.
        cmd = [sys.executable, os.path.abspath(__file__)] + [a for a in (argv if argv is not None else sys.argv[1:])
                                                              if a != "--keep"]
        cmd += ["--directory", directory, "--build-only"] if args.directory is None else ["--build-only"]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        cached = json.loads(out.strip().splitlines()[-1])
        result["compile_cached_s"] = cached["compile_s"]
        result["make_cached_s"] = cached["make_s"]
    if not args.keep and args.directory is None:
        shutil.rmtree(directory, ignore_errors=True)
    else:
        result["directory"] = directory
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
