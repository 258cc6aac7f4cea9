"""psst from Python: build or load a network of conductance-based neurons, run it, get NumPy arrays.

    import psst
    model = psst.load_model("models/hh.toml")      # or psst.Model(...) built in Python
    sim = psst.Simulation(model)                   # backend="cpu", threads=0, precision="double", out=None
    sim.run(200)                                   # ms; a progress bar; Ctrl-C -> KeyboardInterrupt
    times, neurons = sim.spikes("HH")
    t, V = sim.state("HH", "V")                    # V: samples x recorded neurons
    sim.set("HH.I_inj", 5.0); sim.run(200)         # a new parameter value, nothing recompiled

Errors in a model raise :class:`psst.ModelError` (a ValueError) with ``.file``,
``.line`` and ``.column``. ``psst.open("out.h5")`` reads an output file into the
same interface. Models and the equation language: docs/model-files.md.
"""
from . import _psst
from .errors import ModelError
from .model import Model, load_model
from .results import OutputFile, Results, open
from .simulation import Simulation

__version__ = _psst.__version__
__all__ = ["Model", "ModelError", "OutputFile", "Results", "Simulation", "load_model", "open", "total_compilations"]


def total_compilations():
    """Compiler processes psst started in this process (unchanged when kernels come from the cache)."""
    return _psst.total_compilations()
