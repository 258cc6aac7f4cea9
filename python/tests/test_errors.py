"""psst's user errors become psst.ModelError with the file, line and column, and the CLI's message."""
import os
import subprocess

import pytest

import psst
from conftest import HH_EQUATIONS, HH_INITIAL, HH_PARAMETERS

BAD_FILE = """\
[simulation]
duration = 10.0

[populations.HH]
size = 2
equations = \"\"\"
dV/dt = (I - g * (V - E)) / C
\"\"\"
parameters = { g = 0.1, E = -65.0, C = 1.0 }
initial = { V = -65.0 }
"""


def test_a_model_file_error_has_its_location_and_the_cli_message(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(BAD_FILE)
    with pytest.raises(psst.ModelError) as caught:
        psst.Simulation(psst.load_model(path))
    error = caught.value
    assert isinstance(error, ValueError)
    assert error.file == str(path)
    assert (error.line, error.column) == (7, 10)
    assert "'I'" in str(error)
    cli = os.environ.get("PSST_CLI")
    if cli:
        result = subprocess.run([cli, "run", str(path), "--out", str(tmp_path / "o.h5")], capture_output=True, text=True)
        assert result.returncode == 1
        assert str(error) in result.stderr


def test_an_error_in_python_equations_points_into_the_python_string():
    m = psst.Model(duration=10.0)
    equations = HH_EQUATIONS.replace("I_L  = g_L * (V - E_L)", "I_L  = g_L * (V - E_Lx)")
    m.population("HH", equations=equations, parameters=dict(HH_PARAMETERS, I_inj=1.0), initial=HH_INITIAL)
    with pytest.raises(psst.ModelError) as caught:
        psst.Simulation(m)
    error = caught.value
    assert error.file == "population 'HH' equations"
    assert error.line == 7
    assert error.column == 19
    assert str(error).startswith("population 'HH' equations:7:19: error: ")
    assert "E_Lx" in str(error)


def test_a_syntax_error_in_a_threshold():
    m = psst.Model(duration=10.0)
    m.population("HH", equations=HH_EQUATIONS, parameters=dict(HH_PARAMETERS, I_inj=1.0), initial=HH_INITIAL,
                 threshold="V >= * 0")
    with pytest.raises(psst.ModelError) as caught:
        psst.Simulation(m)
    assert caught.value.file == "population 'HH' threshold"
    assert (caught.value.line, caught.value.column) == (1, 6)


def test_set_names_what_exists():
    sim = psst.Simulation(psst.load_model(os.path.join(os.path.dirname(__file__), "../../models/hh.toml")))
    with pytest.raises(psst.ModelError) as caught:
        sim.set("HH.I_injj", 1.0)
    assert "I_inj" in str(caught.value)
    with pytest.raises(ValueError):
        sim.set("I_inj", 1.0)
    with pytest.raises(ValueError):
        sim.run(0.005)  # not a whole number of steps
