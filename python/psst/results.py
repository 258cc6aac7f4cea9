"""Results of a run as NumPy arrays: from a live psst.Simulation or an output file (psst.open)."""
import os

import numpy as np


class Results:
    """Spikes and state of a run, read from its HDF5 output (layout: docs/output.md).

    Times are in ms. ``spikes(P)`` gives ``(times, indices)``; ``state(P, var)``
    gives ``(times, values)`` with one row per sample and one column per recorded
    neuron (``neurons(P)`` lists them).
    """

    def __init__(self, reader):
        self._reader = reader

    @property
    def attrs(self):
        """The run's attributes: dt, duration, method, seed, backend, model, overrides, ..."""
        return self._reader.attributes()

    @property
    def times(self):
        """The sample times of the state variables (ms)."""
        return self._reader.read_double("/time")

    def _check(self, path, what):
        if not self._reader.exists(path):
            raise KeyError(f"{what} was not recorded; record it with model.record(...) "
                           f"or a [record.<population>] table")

    def spikes(self, population):
        """``(times, indices)`` of every spike of ``population``, in time order (ms; neuron indices)."""
        base = f"/populations/{population}/spikes"
        self._check(base + "/time", f"no spikes of population '{population}'")
        return self._reader.read_double(base + "/time"), self._reader.read_int64(base + "/index")

    def state(self, population, variable):
        """``(times, values)`` of a recorded state variable: values has shape (samples, recorded neurons)."""
        path = f"/populations/{population}/state/{variable}"
        self._check(path, f"state variable '{variable}' of population '{population}'")
        return self.times, self._reader.read_matrix(path)

    def neurons(self, population):
        """The neuron index of each column of ``state(population, ...)``."""
        path = f"/populations/{population}/state/neurons"
        self._check(path, f"no state of population '{population}'")
        return self._reader.read_int64(path)

    def spike_counts(self, population, size=None):
        """Spikes per neuron (an array of ``size`` counts; default: up to the highest index that fired)."""
        _, index = self.spikes(population)
        return np.bincount(index, minlength=size or 0)

    def rates(self, population, size=None):
        """Firing rate per neuron (Hz) over the simulated time recorded so far."""
        t = self.times
        duration_ms = t[-1] - t[0] if len(t) > 1 else 0.0
        counts = self.spike_counts(population, size)
        return counts / (duration_ms / 1000.0) if duration_ms > 0 else counts * np.nan


class _H5Reader:
    """The reader interface of a finished output file, through h5py."""

    def __init__(self, path):
        import h5py

        self._file = h5py.File(path, "r")

    def exists(self, path):
        return path in self._file

    def read_double(self, path):
        return np.asarray(self._file[path][()], dtype=np.float64)

    def read_int64(self, path):
        return np.asarray(self._file[path][()], dtype=np.int64)

    def read_matrix(self, path):
        data = np.asarray(self._file[path][()], dtype=np.float64)
        return data.reshape(len(data), -1)

    def attributes(self):
        return {k: (v.decode() if isinstance(v, bytes) else v.item() if hasattr(v, "item") else v)
                for k, v in self._file.attrs.items()}

    def groups(self, path):
        return list(self._file[path].keys()) if path in self._file else []

    def close(self):
        self._file.close()


class OutputFile(Results):
    """A psst output file opened for reading (see :func:`psst.open`). Usable as a context manager."""

    def __init__(self, path):
        self.path = os.fspath(path)
        super().__init__(_H5Reader(self.path))

    @property
    def populations(self):
        """Names of the populations with recorded data."""
        return self._reader.groups("/populations")

    def variables(self, population):
        """The state variables recorded of ``population``."""
        return [v for v in self._reader.groups(f"/populations/{population}/state") if v != "neurons"]

    def close(self):
        self._reader.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f"<psst output {self.path}: populations {', '.join(self.populations)}>"


def open(path):  # noqa: A001 - psst.open, as the issue names it
    """Opens a psst output file (``psst run ... --out FILE.h5`` or ``Simulation(out=...)``).

    Returns an :class:`OutputFile` with the same ``spikes``, ``state``, ``times``
    and ``attrs`` as a :class:`psst.Simulation`.
    """
    return OutputFile(path)
