"""Izhikevich (2003), "Simple model of spiking neurons" (IEEE Trans Neural Netw 14:1569):
his published MATLAB program, ported line by line to NumPy (the MATLAB lines as comments),
so models/izhikevich_2003.toml can be compared with the program it transcribes. Random
numbers come from NumPy's default generator (PCG64) seeded with --seed, so a seed here and
the same seed in psst give different networks: compare statistics over seeds.
Prints the spikes as "time_ms neuron" lines with --spikes FILE, and a summary line.
  /usr/bin/python3 bench/peers/izhikevich_matlab.py [--seed N] [--spikes FILE]
"""
import argparse
import time

import numpy as np

parser = argparse.ArgumentParser()
parser.add_argument("--seed", type=int, default=1)
parser.add_argument("--spikes", help="write 'time_ms neuron' per spike to this file")
args = parser.parse_args()
rng = np.random.default_rng(args.seed)
start = time.time()

# Created by Eugene M. Izhikevich, February 25, 2003
# Excitatory neurons    Inhibitory neurons
Ne, Ni = 800, 200                                          # Ne=800; Ni=200;
re, ri = rng.random(Ne), rng.random(Ni)                    # re=rand(Ne,1); ri=rand(Ni,1);
a = np.concatenate([0.02 * np.ones(Ne), 0.02 + 0.08 * ri])     # a=[0.02*ones(Ne,1); 0.02+0.08*ri];
b = np.concatenate([0.2 * np.ones(Ne), 0.25 - 0.05 * ri])      # b=[0.2*ones(Ne,1); 0.25-0.05*ri];
c = np.concatenate([-65 + 15 * re**2, -65 * np.ones(Ni)])      # c=[-65+15*re.^2; -65*ones(Ni,1)];
d = np.concatenate([8 - 6 * re**2, 2 * np.ones(Ni)])           # d=[8-6*re.^2; 2*ones(Ni,1)];
S = np.hstack([0.5 * rng.random((Ne + Ni, Ne)), -rng.random((Ne + Ni, Ni))])  # S=[0.5*rand(Ne+Ni,Ne), -rand(Ne+Ni,Ni)];
v = -65 * np.ones(Ne + Ni)                                 # v=-65*ones(Ne+Ni,1); % Initial values of v
u = b * v                                                  # u=b.*v;              % Initial values of u
firings = []                                               # firings=[];          % spike timings
for t in range(1, 1001):                                   # for t=1:1000         % simulation of 1000 ms
    I = np.concatenate([5 * rng.standard_normal(Ne), 2 * rng.standard_normal(Ni)])  # I=[5*randn(Ne,1);2*randn(Ni,1)]; % thalamic input
    fired = np.flatnonzero(v >= 30)                        # fired=find(v>=30);   % indices of spikes
    firings.extend((t, k) for k in fired)                  # firings=[firings; t+0*fired,fired];
    v[fired] = c[fired]                                    # v(fired)=c(fired);
    u[fired] = u[fired] + d[fired]                         # u(fired)=u(fired)+d(fired);
    I = I + S[:, fired].sum(axis=1)                        # I=I+sum(S(:,fired),2);
    v = v + 0.5 * (0.04 * v**2 + 5 * v + 140 - u + I)      # v=v+0.5*(0.04*v.^2+5*v+140-u+I); % step 0.5 ms
    v = v + 0.5 * (0.04 * v**2 + 5 * v + 140 - u + I)      # v=v+0.5*(0.04*v.^2+5*v+140-u+I); % for numerical stability
    u = u + a * (b * v - u)                                # u=u+a.*(b.*v-u);
elapsed = time.time() - start                              # end; plot(firings(:,1),firings(:,2),'.');

# MATLAB's firings(:,1) is the step t (1..1000) at whose start v >= 30 was seen: the
# spike happened during ms t-1, so it is written at t - 1 ms (bins 0..999 as psst's).
times = np.array([f[0] - 1 for f in firings], dtype=float)
index = np.array([f[1] for f in firings], dtype=int)
if args.spikes:
    np.savetxt(args.spikes, np.column_stack([times, index]), fmt=["%.1f", "%d"])
print(f"izhikevich_matlab (numpy, seed {args.seed}): {len(times)} spikes, "
      f"excitatory {np.sum(index < Ne) / Ne:.2f} Hz, inhibitory {np.sum(index >= Ne) / Ni:.2f} Hz, run {elapsed:.1f} s")
