"""Running from Python: parameters set between runs, runs past the model's duration, output files, Ctrl-C."""
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np

import psst
from conftest import MODELS, read_csv_columns


def test_a_parameter_change_compiles_nothing_new_and_takes_effect(tmp_path, shared):
    before = psst.total_compilations()
    sim = psst.Simulation(psst.load_model(MODELS / "hh.toml"), cache_dir=str(tmp_path / "cache"))
    compiled = psst.total_compilations()
    assert compiled > before  # an empty kernel cache: the set-up compiled the kernels
    sim.run(100, progress=False)
    sim.set("HH.I_inj", 0.0)
    sim.run(100, progress=False)
    assert psst.total_compilations() == compiled
    times, _ = sim.spikes("HH")
    reference = read_csv_columns(shared / "reference" / "hh_single_spikes.csv")[0]
    assert len(times) == 8  # the reference's spikes before 100 ms; none without current
    np.testing.assert_allclose(times, reference[reference < 100], rtol=0, atol=1e-9)
    t, V = sim.state("HH", "V")
    assert len(t) == 20001 and t[-1] == 200.0
    assert V[-1, 0] < -50


def test_runs_in_pieces_past_the_models_duration_equal_one_run(tmp_path):
    whole = psst.Simulation(MODELS / "hh.toml", duration=300.0).run(progress=False)
    pieces = psst.Simulation(MODELS / "hh.toml", out=tmp_path / "p.h5")
    for duration in [50, 150, 100]:  # the model says 200 ms: the last piece rebuilds from a checkpoint
        pieces.run(duration, progress=False)
    assert pieces.t == 300.0
    assert np.array_equal(whole.spikes("HH")[0], pieces.spikes("HH")[0])
    assert np.array_equal(whole.state("HH", "V")[1], pieces.state("HH", "V")[1])
    with psst.open(tmp_path / "p.h5") as f:
        assert np.array_equal(f.spikes("HH")[0], whole.spikes("HH")[0])
        assert np.array_equal(f.state("HH", "m")[1], whole.state("HH", "m")[1])
        assert f.attrs["dt"] == 0.01 and f.populations == ["HH"]


CHILD = textwrap.dedent("""
    import sys, psst
    sim = psst.Simulation(psst.load_model(sys.argv[1]), out=sys.argv[2], duration=1e6)
    sim.run(1.0, progress=False)
    print("running", flush=True)
    try:
        sim.run(progress=False)
    except KeyboardInterrupt:
        print("interrupted at", sim.t, flush=True)
        sys.exit(3)
""")


def test_ctrl_c_stops_a_run_with_a_checkpoint(tmp_path):
    out = tmp_path / "long.h5"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(MODELS / "hh.toml"), str(out)],
                             stdout=subprocess.PIPE, text=True, env=env)
    assert child.stdout.readline().strip() == "running"
    time.sleep(1.0)
    child.send_signal(signal.SIGINT)
    output, _ = child.communicate(timeout=60)
    assert child.returncode == 3, output
    reached = float(output.split()[-1])
    assert 1.0 < reached < 1e6
    with psst.open(out) as f:
        assert f.times[-1] == reached
        assert len(f.state("HH", "V")[1]) == round(reached / 0.01) + 1
    cli = os.environ.get("PSST_CLI")
    if cli:  # the checkpoint continues with psst resume
        resumed = subprocess.run([cli, "resume", str(out), "--until", str(reached + 10), "--quiet"],
                                 capture_output=True, text=True)
        assert resumed.returncode == 0, resumed.stderr
        with psst.open(out) as f:
            assert abs(f.times[-1] - (reached + 10)) < 1e-9
