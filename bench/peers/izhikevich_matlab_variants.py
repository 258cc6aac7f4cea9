"""Which of the model file's departures from Izhikevich's MATLAB program changes its
rates: the program of bench/peers/izhikevich_matlab.py in 0.5 ms steps, with each of
three changes of models/izhikevich_2003.toml switched on or off (8 combinations):
  noise_half: I redrawn every 0.5 ms with sqrt(2) amplitude (else held for 1 ms);
  spike_half: threshold, reset and the jumps v += sum of weights every 0.5 ms, a jump
              applied at once (else once per ms, the sum added to I for the ms);
  u_half:     u advanced by Euler every 0.5 ms from the old v (else once per ms from the new v).
(0,0,0) is Izhikevich's program; (1,1,1) is the model file's scheme. Prints, per
combination over seeds 1..30, how many runs ran away (excitatory rate above 50 Hz) and
the mean ± sd rates of the others. About 40 s.
  /usr/bin/python3 bench/peers/izhikevich_matlab_variants.py
"""
import itertools

import numpy as np

np.seterr(over="ignore", invalid="ignore")  # a runaway drives v to inf; it is counted, not used


def run(seed, noise_half, spike_half, u_half):
    """Excitatory and inhibitory rate (Hz) of one 1 s run; draws in the order of the MATLAB port."""
    rng = np.random.default_rng(seed)
    Ne, Ni = 800, 200
    re, ri = rng.random(Ne), rng.random(Ni)
    a = np.r_[0.02 * np.ones(Ne), 0.02 + 0.08 * ri]
    b = np.r_[0.2 * np.ones(Ne), 0.25 - 0.05 * ri]
    c = np.r_[-65 + 15 * re**2, -65 * np.ones(Ni)]
    d = np.r_[8 - 6 * re**2, 2 * np.ones(Ni)]
    S = np.hstack([0.5 * rng.random((Ne + Ni, Ne)), -rng.random((Ne + Ni, Ni))])
    sigma = np.r_[5 * np.ones(Ne), 2 * np.ones(Ni)]
    v = -65 * np.ones(Ne + Ni)
    u = b * v
    spikes_e = spikes_i = 0
    synaptic = np.zeros(Ne + Ni)
    for k in range(2000):  # 0.5 ms steps; k even starts a MATLAB ms
        if noise_half:
            I = sigma * np.sqrt(2) * rng.standard_normal(Ne + Ni)
        elif k % 2 == 0:
            I = sigma * rng.standard_normal(Ne + Ni)
        if spike_half or k % 2 == 0:
            fired = np.flatnonzero(v >= 30)
            spikes_e += np.sum(fired < Ne)
            spikes_i += np.sum(fired >= Ne)
            v[fired] = c[fired]
            u[fired] += d[fired]
            summed = S[:, fired].sum(axis=1)
            if spike_half:  # psst's event: a jump of v, then the step
                v = v + summed
                synaptic = 0
            else:  # MATLAB: part of I for the whole ms
                synaptic = summed
        v_old = v
        v = v + 0.5 * (0.04 * v**2 + 5 * v + 140 - u + I + synaptic)
        if u_half:
            u = u + 0.5 * a * (b * v_old - u)
        elif k % 2 == 1:
            u = u + a * (b * v - u)
    return spikes_e / Ne, spikes_i / Ni


for combo in itertools.product([0, 1], repeat=3):
    rates = np.array([run(s, *combo) for s in range(1, 31)])
    runaway = rates[:, 0] > 50
    rest = rates[~runaway]
    print(f"noise_half={combo[0]} spike_half={combo[1]} u_half={combo[2]}: runaways {runaway.sum()}/30, "
          f"others excitatory {rest[:, 0].mean():.2f} ± {rest[:, 0].std(ddof=1):.2f} Hz, "
          f"inhibitory {rest[:, 1].mean():.2f} ± {rest[:, 1].std(ddof=1):.2f} Hz", flush=True)
