"""Shared fixtures: where the repository, its models and ../shared/reference are."""
import os
import pathlib

import pytest

ROOT = pathlib.Path(os.environ.get("PSST_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
SHARED = ROOT.parent / "shared"
MODELS = ROOT / "models"

# The PSST Hodgkin-Huxley neuron's equations (models/hh.toml), as a Python string.
HH_EQUATIONS = """\
dV/dt = (I_inj - I_Na - I_K - I_L) / C_m
dm/dt = -(m - m_0) / tau_m
dh/dt = -(h - h_0) / tau_h
dn/dt = -(n - n_0) / tau_n
I_Na = g_Na * m^3 * h * (V - E_Na)
I_K  = g_K * n^4 * (V - E_K)
I_L  = g_L * (V - E_L)
u = V + 50
phi = 3^((22 - 36) / 10)
alpha_m = 0.32 * (13 - u) / (exp((13 - u) / 4) - 1)
beta_m  = 0.28 * (u - 40) / (exp((u - 40) / 5) - 1)
alpha_h = 0.128 * exp((17 - u) / 18)
beta_h  = 4 / (exp((40 - u) / 5) + 1)
alpha_n = 0.02 * (15 - u) / (exp((15 - u) / 5) - 1)
beta_n  = 0.5 * exp((10 - u) / 40)
m_0 = alpha_m / (alpha_m + beta_m)
h_0 = alpha_h / (alpha_h + beta_h)
n_0 = alpha_n / (alpha_n + beta_n)
tau_m = 1 / ((alpha_m + beta_m) * phi)
tau_h = 1 / ((alpha_h + beta_h) * phi)
tau_n = 1 / ((alpha_n + beta_n) * phi)
"""
HH_PARAMETERS = dict(C_m=1.0, g_Na=100.0, E_Na=50.0, g_K=10.0, E_K=-95.0, g_L=0.15, E_L=-55.0)
HH_INITIAL = dict(V=-71.0, m=0.0, h=0.0, n=0.0)


def read_csv_columns(path):
    import numpy as np

    return np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2).T


@pytest.fixture
def shared():
    if not (SHARED / "reference").is_dir():
        pytest.skip(f"the reference solutions are not at {SHARED / 'reference'}")
    return SHARED
