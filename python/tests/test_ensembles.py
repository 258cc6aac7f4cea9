"""Ensembles from Python: instances= and Model.sweep, spikes with their instance, state (samples, K, R)."""
import numpy as np
import pytest

import psst
from conftest import HH_EQUATIONS, HH_INITIAL, HH_PARAMETERS, MODELS

CURRENTS = [4.0, 7.0, 10.0]


def hh_pair(sweep=None, instances=None):
    """Two HH neurons with a random initial V (seed-dependent); V recorded."""
    model = psst.Model(duration=60.0, dt=0.02, seed=11, instances=instances)
    initial = dict(HH_INITIAL, V={"distribution": "normal", "mean": -65.0, "std": 4.0})
    model.population("HH", size=2, equations=HH_EQUATIONS, parameters=dict(HH_PARAMETERS, I_inj=7.0),
                     initial=initial, threshold="V >= 0")
    model.record("HH", ["V"])
    if sweep:
        model.sweep(sweep)
    return model


def test_a_swept_ensemble_has_each_instance_equal_to_its_single_run():
    ensemble = psst.Simulation(hh_pair({"HH.I_inj": CURRENTS}), threads=1).run(progress=False)
    assert ensemble.instances == 3
    assert list(ensemble.seeds) == [11, 12, 13]
    assert list(ensemble.swept("HH.I_inj")) == CURRENTS
    times, index, instance = ensemble.spikes("HH")
    assert set(instance) == {0, 1, 2} and index.max() == 1  # indices within the instance
    t, V = ensemble.state("HH", "V")
    assert V.shape == (len(t), 3, 2)
    assert V[0, 0, 0] != V[0, 1, 0]  # the seeds differ: so do the initial values
    assert len({len(ensemble.spikes("HH", instance=k)[0]) for k in range(3)}) == 3  # so do the currents
    assert ensemble.current("HH", "V").shape == (3, 2)
    assert ensemble.spike_counts("HH").shape == (3, 2)
    for k, current in enumerate(CURRENTS):
        single = psst.Simulation(hh_pair(), threads=1, seed=11 + k)
        single.set("HH.I_inj", current)
        single.run(progress=False)
        single_times, single_index = single.spikes("HH")
        assert len(single_times) > 0
        k_times, k_index = ensemble.spikes("HH", instance=k)
        assert np.array_equal(k_times, single_times) and np.array_equal(k_index, single_index)
        assert np.array_equal(V[:, k, :], single.state("HH", "V")[1])
        assert np.array_equal(ensemble.state("HH", "V", instance=k)[1], single.state("HH", "V")[1])
    with pytest.raises(IndexError, match="3 instance"):
        ensemble.spikes("HH", instance=3)


def test_instances_argument_runs_seeds_and_one_instance_keeps_the_single_layout(tmp_path):
    model = psst.load_model(MODELS / "hh.toml")
    single = psst.Simulation(model, duration=20.0).run(progress=False)
    times, index = single.spikes("HH")  # K = 1: two arrays, state (samples, R), as before
    assert single.instances == 1 and single.state("HH", "V")[1].ndim == 2
    ensemble = psst.Simulation(model, duration=20.0, instances=2, out=tmp_path / "e.h5").run(progress=False)
    assert ensemble.instances == 2 and list(ensemble.seeds) == [single.attrs["seed"], single.attrs["seed"] + 1]
    for k in range(2):  # hh.toml draws nothing: both instances are the single run
        assert np.array_equal(ensemble.spikes("HH", instance=k)[0], times)
        assert np.array_equal(ensemble.state("HH", "V", instance=k)[1], single.state("HH", "V")[1])
    for sim in (single, ensemble):  # set, then past the duration: a rebuild from a checkpoint keeps the instances
        sim.set("HH.I_inj", 0.0)
        sim.run(10, progress=False)
    assert ensemble.instances == 2 and ensemble.state("HH", "V")[1].shape == (3001, 2, 1)
    for k in range(2):
        assert np.array_equal(ensemble.state("HH", "V", instance=k)[1], single.state("HH", "V")[1])
    with psst.open(tmp_path / "e.h5") as f:  # the file reads the same
        assert f.instances == 2 and f.state("HH", "V")[1].shape[1:] == (2, 1)
        assert np.array_equal(f.spikes("HH")[2], ensemble.spikes("HH")[2])
