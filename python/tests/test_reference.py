"""The PSST reference solutions, from Python: the HH neuron and the three-neuron network."""
import numpy as np

import psst
from conftest import HH_EQUATIONS, HH_INITIAL, HH_PARAMETERS, MODELS, read_csv_columns


def hh_in_python(duration=200.0):
    m = psst.Model(duration=duration, dt=0.01, method="rk4", record_every=0.01)
    m.population("HH", size=1, equations=HH_EQUATIONS, parameters=dict(HH_PARAMETERS, I_inj=10.0),
                 initial=HH_INITIAL, threshold="V >= 0")
    m.record("HH", ["V", "m", "h", "n"])
    return m


def test_hh_spike_times_equal_the_psst_reference(shared):
    reference = read_csv_columns(shared / "reference" / "hh_single_spikes.csv")
    sim = psst.Simulation(psst.load_model(MODELS / "hh.toml"))
    sim.run(progress=False)
    times, index = sim.spikes("HH")
    assert len(times) == 17
    np.testing.assert_allclose(times, reference[0], rtol=0, atol=1e-9)
    np.testing.assert_allclose(times, reference[2], rtol=0, atol=0.01)
    assert times[0] == 4.53
    assert (index == 0).all()


def test_hh_built_in_python_is_bitwise_its_model_file():
    from_file = psst.Simulation(psst.load_model(MODELS / "hh.toml")).run(progress=False)
    built = psst.Simulation(hh_in_python()).run(progress=False)
    assert np.array_equal(from_file.spikes("HH")[0], built.spikes("HH")[0])
    for variable in ["V", "m", "h", "n"]:
        t_file, v_file = from_file.state("HH", variable)
        t_built, v_built = built.state("HH", variable)
        assert v_file.shape == (20001, 1)
        assert np.array_equal(t_file, t_built)
        assert np.array_equal(v_file, v_built), variable


def three_neurons_in_python():
    m = psst.Model(duration=700.0, dt=0.01, method="rk4", record_every=0.1, lastspike_initial=-9999999.0)
    equations = HH_EQUATIONS.replace("- I_L) / C_m", "- I_L - I_ach - I_gaba) / C_m")
    m.population("HH", size=3, equations=equations, parameters=HH_PARAMETERS, initial=HH_INITIAL,
                 threshold="V >= 0",
                 inputs={"I_inj": {"segments": [dict(start=100.0, end=200.0, value=2.5, neurons=[0]),
                                                 dict(start=300.0, end=400.0, value=5.0, neurons=[0]),
                                                 dict(start=500.0, end=600.0, value=7.5, neurons=[0])]}})
    m.projection("ach", "HH", "HH", connect=(np.array([0]), np.array([1])),
                 equations="do/dt = alpha * (1 - o) * T - beta * o\n"
                           "T = where(t > lastspike_pre + t_delay and t < lastspike_pre + t_delay + t_max, A, 0)",
                 parameters=dict(alpha=10.0, beta=0.2, A=0.5, t_max=0.3, t_delay=0.0, g=0.35, E=0.0),
                 initial={"o": 0.0}, summed={"I_ach": "g * o * (V_post - E)"})
    m.projection("gaba", "HH", "HH", connect=([1], [2]),
                 equations="do/dt = alpha * (1 - o) * T - beta * o\nT = 1 / (1 + exp(-(V_pre - V0) / sigma))",
                 parameters=dict(alpha=10.0, beta=0.16, V0=-20.0, sigma=1.5, g=0.8, E=-70.0),
                 initial={"o": 0.0}, summed={"I_gaba": "g * o * (V_post - E)"})
    m.record("HH", ["V"])
    return m


def test_three_neurons_built_in_python_equal_the_model_file_and_the_reference(shared):
    reference = read_csv_columns(shared / "reference" / "three_neurons_spikes.csv")
    from_file = psst.Simulation(MODELS / "psst_three_neurons.toml").run(progress=False)
    built = psst.Simulation(three_neurons_in_python()).run(progress=False)
    t_file, i_file = from_file.spikes("HH")
    t_built, i_built = built.spikes("HH")
    assert len(t_built) == 36
    assert np.array_equal(t_file, t_built) and np.array_equal(i_file, i_built)
    assert np.array_equal(from_file.state("HH", "V")[1], built.state("HH", "V")[1])
    assert np.bincount(i_built, minlength=3).tolist() == [18, 18, 0]
    np.testing.assert_allclose(t_built, reference[0], rtol=0, atol=1e-9)
    assert np.array_equal(i_built, reference[1].astype(np.int64))
