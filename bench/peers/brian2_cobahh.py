"""COBAHH in Brian2 (Debian's python3-brian), the same equations and parameters as
models/cobahh.toml: prints spikes, mean rate and the mean CV of inter-spike
intervals, so psst's figures can be compared with a peer's on this machine.
  /usr/bin/python3 bench/peers/brian2_cobahh.py [--target numpy|cython] [--seed N]
"""
import argparse
import time

import numpy as np
from brian2 import (NeuronGroup, Synapses, SpikeMonitor, Equations, defaultclock, prefs, run, seed,
                    ms, mV, nS, umetre, ufarad, siemens, msiemens, cm, second)

parser = argparse.ArgumentParser()
parser.add_argument("--target", default="numpy")
parser.add_argument("--seed", type=int, default=1)
args = parser.parse_args()
prefs.codegen.target = args.target
seed(args.seed)
defaultclock.dt = 0.1 * ms

area = 20000 * umetre**2
Cm = (1 * ufarad * cm**-2) * area
gl = (5e-5 * siemens * cm**-2) * area
El, EK, ENa = -60 * mV, -90 * mV, 50 * mV
g_na = (100 * msiemens * cm**-2) * area
g_kd = (30 * msiemens * cm**-2) * area
VT = -63 * mV
taue, taui = 5 * ms, 10 * ms
Ee, Ei = 0 * mV, -80 * mV
we, wi = 6 * nS, 67 * nS
eqs = Equations('''
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
P = NeuronGroup(4000, model=eqs, threshold='v>-20*mV', refractory=3 * ms, method='exponential_euler')
Ce = Synapses(P[:3200], P, on_pre='ge+=we')
Ci = Synapses(P[3200:], P, on_pre='gi+=wi')
Ce.connect(p=0.02)
Ci.connect(p=0.02)
P.v = 'El + (randn() * 5 - 5)*mV'
P.ge = '(randn() * 1.5 + 4) * 10.*nS'
P.gi = '(randn() * 12 + 20) * 10.*nS'
monitor = SpikeMonitor(P)
start = time.time()
run(1 * second)
elapsed = time.time() - start
i, t = np.asarray(monitor.i), np.asarray(monitor.t / ms)
cvs = []
for n in range(4000):
    s = t[i == n]
    if len(s) >= 3:
        isi = np.diff(s)
        cvs.append(isi.std() / isi.mean())
print(f"brian2 COBAHH ({args.target}, seed {args.seed}): {len(t)} spikes, rate {len(t) / 4000:.2f} Hz, "
      f"mean CV {np.mean(cvs):.3f} over {len(cvs)} neurons, run {elapsed:.1f} s")
