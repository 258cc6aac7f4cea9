"""psst.Simulation: run a model from Python, with results as NumPy arrays."""
import math
import os
import shutil
import tempfile
import time
import weakref

from . import _psst
from .model import Model
from .progress import progress_bar
from .results import Results


def _whole_steps(duration_ms, dt):
    ratio = duration_ms / dt
    steps = round(ratio)
    if not (duration_ms >= 0 and math.isfinite(duration_ms)) or abs(ratio - steps) > 1e-9 * max(1.0, steps):
        raise ValueError(f"run({duration_ms!r}): the duration must be a non-negative whole number of time steps "
                         f"dt = {dt} ms")
    return steps


class Simulation(Results):
    """A model set up to run: its kernels compiled (or taken from the kernel cache) and its state allocated.

    ``backend``: ``"cpu"`` (compiled C++), ``"reference"`` (the interpreter),
    ``"cuda"`` or ``"cuda-emulated"``; ``threads``: 0 for every core;
    ``precision``: ``"double"`` or ``"single"``. The run is written to the HDF5 file
    ``out`` as it goes (memory stays flat however long it runs); with ``out=None``
    to a temporary file removed with the simulation. ``overwrite`` replaces an
    existing ``out``. Further keywords override the model's [simulation] table:
    ``dt``, ``method``, ``seed``, ``record_every``, ``duration``, ``instances``
    (K independent instances in one run, an ensemble: instance k is the single run
    with seed ``seed + k``; with the model's [sweep], its swept values).

    Results (``spikes``, ``state``, ``times``, ``attrs``) are those of :class:`psst.Results`.
    """

    def __init__(self, model, backend="cpu", threads=0, precision=None, out=None, overwrite=False,
                 cache_dir=None, **settings):
        if isinstance(model, (str, os.PathLike)):
            from .model import load_model

            model = load_model(model)
        if not isinstance(model, Model):
            raise TypeError(f"Simulation needs a psst.Model or a model file, not {type(model).__name__}")
        self.model = model
        self._tmp = None
        if out is None:
            self._tmp = tempfile.mkdtemp(prefix="psst-run-")
            weakref.finalize(self, shutil.rmtree, self._tmp, True)
            path = os.path.join(self._tmp, "run.h5")
        else:
            path = os.fspath(out)
        self.out = None if out is None else path
        options = dict(settings, backend=backend, threads=threads, precision=precision, out=path,
                       overwrite=overwrite, cache_dir=cache_dir)
        with model.errors():
            self._session = _psst.Session(model._parsed(), options)
        super().__init__(self._session)

    # ---- running -------------------------------------------------------------
    @property
    def t(self):
        """The simulated time reached (ms)."""
        return self._session.step * self._session.dt

    @property
    def dt(self):
        """The time step (ms)."""
        return self._session.dt

    @property
    def backend(self):
        """Where the kernels run: cpu, reference, cuda or cuda-emulated."""
        return self._session.backend

    def run(self, duration_ms=None, progress=True):
        """Advances the simulation by ``duration_ms`` (default: to the end of the model's duration).

        Runs without the GIL, a chunk of steps at a time; shows a progress bar in a
        terminal or notebook when ``progress``. Ctrl-C stops it at a step boundary
        and raises KeyboardInterrupt; what ran is kept (with ``out``, the file also
        gets a checkpoint, so ``psst resume`` can continue it). Returns ``self``.
        """
        s = self._session
        start = s.step
        end = s.total_steps if duration_ms is None else start + _whole_steps(float(duration_ms), s.dt)
        with self.model.errors():
            s.prepare(end)
        bar = progress_bar((end - start) * s.dt, progress and end > start)
        chunk = 16
        try:
            while s.step < end:
                began = time.perf_counter()
                with self.model.errors():
                    s.advance(min(s.step + chunk, end))
                elapsed = time.perf_counter() - began
                chunk = max(1, min(1 << 20, int(chunk * 0.1 / max(elapsed, 1e-4))))  # about 0.1 s a chunk
                if bar is not None:  # simulated ms so far, rounded as the bar's total
                    bar.update(round((s.step - start) * s.dt, 6) - bar.n)
        except KeyboardInterrupt:
            self._stop()
            raise
        finally:
            if bar is not None:
                bar.close()
        self._stop()
        return self

    def _stop(self):
        """Makes what ran readable; with a user's output file, writes a checkpoint there."""
        if self.out is not None:
            self._session.checkpoint()
        else:
            self._session.flush()

    def set(self, name, value):
        """Gives a parameter a new constant value from the next run on: ``sim.set("PN.g_KL", 0.02)``.

        ``name`` is ``POPULATION.PARAMETER`` or ``PROJECTION.PARAMETER``. Parameters are
        kernel inputs, so nothing is compiled again.
        """
        owner, dot, parameter = name.partition(".")
        if not dot or not owner or not parameter:
            raise ValueError(f"sim.set({name!r}, ...): write POPULATION.PARAMETER, e.g. 'PN.g_KL'")
        with self.model.errors():
            self._session.set(owner, parameter, float(value))

    def current(self, population, variable):
        """The present value of a state variable of every neuron of ``population`` (a copy;
        in an ensemble shape (instances, neurons))."""
        with self.model.errors():
            values = self._session.current_state(population, variable)
        k = self.instances
        return values if k == 1 else values.reshape(k, -1)

    def __repr__(self):
        return f"<psst.Simulation t = {self.t:g} ms, backend {self.backend}, out {self.out or '(temporary)'}>"
