"""NumPy arrays wherever a model takes a list or a file: per-neuron values, input tables, connection matrices."""
import numpy as np

import psst
from conftest import HH_EQUATIONS, HH_INITIAL, HH_PARAMETERS


def hh(current, size=3, duration=50.0):
    m = psst.Model(duration=duration, dt=0.01, method="rk4")
    parameters = dict(HH_PARAMETERS)
    inputs = {}
    if isinstance(current, np.ndarray) and current.ndim == 2:
        inputs["I_inj"] = current  # a (neurons, steps) table, written as .npy
    else:
        parameters["I_inj"] = current
    m.population("HH", size=size, equations=HH_EQUATIONS, parameters=parameters, initial=HH_INITIAL,
                 threshold="V >= 0", inputs=inputs)
    m.record("HH", ["V"])
    return psst.Simulation(m).run(progress=False)


def test_an_input_table_from_numpy_equals_per_neuron_constants():
    currents = np.array([5.0, 10.0, 15.0])
    constant = hh(currents)
    table = hh(np.repeat(currents[:, None], 5001, axis=1))
    t_constant, i_constant = constant.spikes("HH")
    t_table, i_table = table.spikes("HH")
    assert np.bincount(i_constant).tolist() == [3, 4, 5]
    assert np.array_equal(t_constant, t_table) and np.array_equal(i_constant, i_table)
    assert np.array_equal(constant.state("HH", "V")[1], table.state("HH", "V")[1])


def two_cells(connect):
    m = psst.Model(duration=60.0, dt=0.01, method="rk4")
    equations = HH_EQUATIONS.replace("- I_L) / C_m", "- I_L - I_syn) / C_m")
    m.population("HH", size=3, equations=equations, threshold="V >= 0", initial=HH_INITIAL,
                 parameters=dict(HH_PARAMETERS, I_inj=np.array([10.0, 0.0, 0.0])))
    m.projection("exc", "HH", "HH", connect=connect, equations="do/dt = 0.5 * (1 - o) * (V_pre > 0) - 0.2 * o",
                 parameters={"g": np.array([0.5, 0.5])}, initial={"o": 0.0}, summed={"I_syn": "g * o * (V_post - 0)"})
    m.record("HH", [])
    return psst.Simulation(m).run(progress=False)


def test_a_connection_matrix_from_numpy_equals_index_pairs():
    matrix = np.zeros((3, 3))  # (post, pre): 0 -> 1 and 0 -> 2
    matrix[1, 0] = matrix[2, 0] = 1.0
    from_matrix = two_cells(matrix)
    from_pairs = two_cells((np.array([0, 0]), np.array([1, 2])))
    t_matrix, i_matrix = from_matrix.spikes("HH")
    t_pairs, i_pairs = from_pairs.spikes("HH")
    assert set(i_matrix.tolist()) == {0, 1, 2}  # the synapses make 1 and 2 fire
    assert np.array_equal(t_matrix, t_pairs) and np.array_equal(i_matrix, i_pairs)
