COMMENT
The PSST Hodgkin-Huxley neuron of models/hh.toml (Traub-style kinetics, phi = 3^((22 - 36)/10),
no temperature dependence), with its constant injected current, for bench/peers/neuron_models.py.
psst's units are mS/cm2 and uA/cm2; NEURON's density mechanisms use S/cm2 and mA/cm2, hence the
factors of 1e-3 in the defaults. The gates start at 0 (not at their steady state), as in psst.
ENDCOMMENT

NEURON {
    THREADSAFE
    SUFFIX psst_hh
    NONSPECIFIC_CURRENT i
    RANGE gnabar, gkbar, gl, ena, ek, el, iinj
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}

PARAMETER {
    gnabar = 0.1 (S/cm2)     : g_Na = 100 mS/cm2
    gkbar = 0.01 (S/cm2)     : g_K = 10
    gl = 0.00015 (S/cm2)     : g_L = 0.15
    ena = 50 (mV)
    ek = -95 (mV)
    el = -55 (mV)
    iinj = 0.01 (mA/cm2)     : I_inj = 10 uA/cm2, inward
}

STATE { m h n }

ASSIGNED {
    v (mV)
    i (mA/cm2)
    minf hinf ninf
    mtau (ms) htau (ms) ntau (ms)
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    i = gnabar * m * m * m * h * (v - ena) + gkbar * n * n * n * n * (v - ek) + gl * (v - el) - iinj
}

INITIAL {
    m = 0
    h = 0
    n = 0
}

DERIVATIVE states {
    rates(v)
    m' = (minf - m) / mtau
    h' = (hinf - h) / htau
    n' = (ninf - n) / ntau
}

PROCEDURE rates(v (mV)) {
    LOCAL u, phi, am, bm, ah, bh, an, bn
    UNITSOFF
    u = v + 50
    phi = 0.2147980049924181  : 3^((22 - 36) / 10)
    am = 0.32 * (13 - u) / (exp((13 - u) / 4) - 1)
    bm = 0.28 * (u - 40) / (exp((u - 40) / 5) - 1)
    ah = 0.128 * exp((17 - u) / 18)
    bh = 4 / (exp((40 - u) / 5) + 1)
    an = 0.02 * (15 - u) / (exp((15 - u) / 5) - 1)
    bn = 0.5 * exp((10 - u) / 40)
    minf = am / (am + bm)
    hinf = ah / (ah + bh)
    ninf = an / (an + bn)
    mtau = 1 / ((am + bm) * phi)
    htau = 1 / ((ah + bh) * phi)
    ntau = 1 / ((an + bn) * phi)
    UNITSON
}
