"""Izhikevich (2003) in Brian2 (Debian's python3-brian): the equations of
models/izhikevich_2003.toml (800 RS + 200 FS, all-to-all, dt = 1 ms, one Euler step
that is Izhikevich's two half-steps of v, thalamic input redrawn every ms), so psst's run
of that file can be compared with a peer that integrates the same model file's equations.
Step order as psst's: integrate, threshold, reset, then the spikes add their weights to
s (the pathway runs after the resets), which enters I in the next step and then decays to
exactly 0 (ds/dt = -s/ms with Euler and dt = 1 ms).
Prints a summary line; --spikes FILE writes "time_ms neuron" per spike.
  /usr/bin/python3 bench/peers/brian2_izhikevich.py [--target numpy|cython] [--seed N] [--spikes FILE]
"""
import argparse
import time

import numpy as np
from brian2 import NeuronGroup, Synapses, SpikeMonitor, defaultclock, prefs, run, seed, ms

parser = argparse.ArgumentParser()
parser.add_argument("--target", default="numpy")
parser.add_argument("--seed", type=int, default=1)
parser.add_argument("--duration", type=float, default=1000.0)
parser.add_argument("--spikes", help="write 'time_ms neuron' per spike to this file")
args = parser.parse_args()
prefs.codegen.target = args.target
seed(args.seed)
defaultclock.dt = 1.0 * ms

Ne, Ni = 800, 200
eqs = '''
dv/dt = (v_next - v) / ms : 1
du/dt = a*(b*v_next - u) / ms : 1
ds/dt = -s / ms : 1
I = sigma * randn() + s : 1 (constant over dt)
v_half = v + 0.5*(0.04*v**2 + 5*v + 140 - u + I) : 1 (constant over dt)
v_next = v_half + 0.5*(0.04*v_half**2 + 5*v_half + 140 - u + I) : 1 (constant over dt)
sigma : 1 (constant)
a : 1 (constant)
b : 1 (constant)
c : 1 (constant)
d : 1 (constant)
'''
P = NeuronGroup(Ne + Ni, eqs, threshold='v >= 30', reset='v = c; u += d', method='euler')
r = np.random.default_rng(args.seed).random(Ne + Ni)  # psst's parameter r, uniform in [0, 1)
exc = np.arange(Ne + Ni) < Ne
P.sigma = np.where(exc, 5.0, 2.0)
P.a = np.where(exc, 0.02, 0.02 + 0.08 * r)
P.b = np.where(exc, 0.2, 0.25 - 0.05 * r)
P.c = np.where(exc, -65 + 15 * r**2, -65.0)
P.d = np.where(exc, 8 - 6 * r**2, 2.0)
P.v = -65.0
P.u = -65.0 * np.asarray(P.b)
Se = Synapses(P[:Ne], P, 'w : 1', on_pre='s_post += w')
Si = Synapses(P[Ne:], P, 'w : 1', on_pre='s_post += w')
for S, weight in ((Se, '0.5*rand()'), (Si, '-rand()')):
    S.connect()  # all to all, as Izhikevich's S (a neuron's synapse onto itself included)
    S.w = weight
    S.pre.when = 'after_resets'
monitor = SpikeMonitor(P)
start = time.time()
run(args.duration * ms)
elapsed = time.time() - start
i, t = np.asarray(monitor.i), np.asarray(monitor.t / ms)
if args.spikes:
    np.savetxt(args.spikes, np.column_stack([t, i]), fmt=["%.1f", "%d"])
print(f"brian2 izhikevich ({args.target}, seed {args.seed}, {args.duration:g} ms): {len(t)} spikes, "
      f"excitatory {np.sum(i < Ne) / Ne / (args.duration / 1000):.2f} Hz, "
      f"inhibitory {np.sum(i >= Ne) / Ni / (args.duration / 1000):.2f} Hz, run {elapsed:.1f} s")
