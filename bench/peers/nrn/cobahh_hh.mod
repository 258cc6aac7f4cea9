COMMENT
The Traub-Miles Na and K currents and the leak of COBAHH (models/cobahh.toml, Brian2's
examples/COBAHH.py), per unit area, for bench/peers/neuron_models.py:
  alpha_m = 0.32 * 4 * x_over_expm1((13 - v + V_T) / 4), ... with x_over_expm1(x) = x / (exp(x) - 1).
Per 20000 um2: g_l = 10 nS -> 5e-5 S/cm2, g_na = 20 uS -> 0.1 S/cm2, g_kd = 6 uS -> 0.03 S/cm2.
The gates start at 0, as in psst's model file. Synapses are NEURON's ExpSyn.
ENDCOMMENT

NEURON {
    THREADSAFE
    SUFFIX cobahh_hh
    NONSPECIFIC_CURRENT i
    RANGE gl, gnabar, gkbar, el, ena, ek, vt
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}

PARAMETER {
    gl = 5e-5 (S/cm2)
    gnabar = 0.1 (S/cm2)
    gkbar = 0.03 (S/cm2)
    el = -60 (mV)
    ena = 50 (mV)
    ek = -90 (mV)
    vt = -63 (mV)
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
    i = gl * (v - el) + gnabar * m * m * m * h * (v - ena) + gkbar * n * n * n * n * (v - ek)
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

FUNCTION xoe(x) {
    if (fabs(x) < 1e-6) {
        xoe = 1 - x / 2
    } else {
        xoe = x / (exp(x) - 1)
    }
}

PROCEDURE rates(v (mV)) {
    LOCAL am, bm, ah, bh, an, bn
    UNITSOFF
    am = 0.32 * 4 * xoe((13 - v + vt) / 4)
    bm = 0.28 * 5 * xoe((v - vt - 40) / 5)
    ah = 0.128 * exp((17 - v + vt) / 18)
    bh = 4 / (1 + exp((40 - v + vt) / 5))
    an = 0.032 * 5 * xoe((15 - v + vt) / 5)
    bn = 0.5 * exp((10 - v + vt) / 40)
    minf = am / (am + bm)
    hinf = ah / (ah + bh)
    ninf = an / (an + bn)
    mtau = 1 / (am + bm)
    htau = 1 / (ah + bh)
    ntau = 1 / (an + bn)
    UNITSON
}
