"""CUBA in Brian2 (Debian's python3-brian): Brian2's examples/CUBA.py (Brette et al. 2007,
benchmark 2), the same equations and parameters as models/cuba_lif.toml: prints spikes, mean
rate and the mean CV of inter-spike intervals, so psst's figures can be compared with a peer's.
  /usr/bin/python3 bench/peers/brian2_cuba.py [--target numpy|cython] [--seed N] [--duration MS]
"""
import argparse
import time

import numpy as np
from brian2 import NeuronGroup, Synapses, SpikeMonitor, defaultclock, prefs, run, seed, ms, mV

parser = argparse.ArgumentParser()
parser.add_argument("--target", default="numpy")
parser.add_argument("--seed", type=int, default=1)
parser.add_argument("--duration", type=float, default=1000.0)
args = parser.parse_args()
prefs.codegen.target = args.target
seed(args.seed)
defaultclock.dt = 0.1 * ms

taum, taue, taui = 20 * ms, 5 * ms, 10 * ms
Vt, Vr, El = -50 * mV, -60 * mV, -49 * mV
eqs = '''
dv/dt  = (ge+gi-(v-El))/taum : volt (unless refractory)
dge/dt = -ge/taue : volt
dgi/dt = -gi/taui : volt
'''
P = NeuronGroup(4000, eqs, threshold='v>Vt', reset='v = Vr', refractory=5 * ms, method='exact')
P.v = 'Vr + rand() * (Vt - Vr)'
P.ge = 0 * mV
P.gi = 0 * mV
we = (60 * 0.27 / 10) * mV  # excitatory synaptic weight (voltage)
wi = (-20 * 4.5 / 10) * mV  # inhibitory synaptic weight
Ce = Synapses(P, P, on_pre='ge += we')
Ci = Synapses(P, P, on_pre='gi += wi')
Ce.connect('i<3200', p=0.02)
Ci.connect('i>=3200', p=0.02)
monitor = SpikeMonitor(P)
start = time.time()
run(args.duration * ms)
elapsed = time.time() - start
i, t = np.asarray(monitor.i), np.asarray(monitor.t / ms)
cvs = []
for n in range(4000):
    s = t[i == n]
    if len(s) >= 3:
        isi = np.diff(s)
        cvs.append(isi.std() / isi.mean())
print(f"brian2 CUBA ({args.target}, seed {args.seed}, {args.duration:g} ms): {len(t)} spikes, "
      f"rate {len(t) / 4000 / (args.duration / 1000):.2f} Hz, mean CV {np.mean(cvs):.3f} over {len(cvs)} neurons, "
      f"run {elapsed:.1f} s")
