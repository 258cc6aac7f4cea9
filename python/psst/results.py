"""Results of a run as NumPy arrays: from a live psst.Simulation or an output file (psst.open)."""
import os

import numpy as np


class Results:
    """Spikes and state of a run, read from its HDF5 output (layout: docs/output.md).

    Times are in ms. ``spikes(P)`` gives ``(times, indices)``; ``state(P, var)``
    gives ``(times, values)`` with one row per sample and one column per recorded
    neuron (``neurons(P)`` lists them).

    An ensemble (``instances`` K > 1) adds the instance: ``spikes(P)`` gives
    ``(times, indices, instances)`` (indices within the instance), ``state(P, var)``
    gives values of shape (samples, K, recorded neurons), and ``instance=k``
    selects instance k's ``(times, indices)`` or ``(times, values)`` (samples,
    recorded neurons), the layout of a single run.
    """

    def __init__(self, reader):
        self._reader = reader

    @property
    def attrs(self):
        """The run's attributes: dt, duration, method, seed, backend, model, overrides, instances, ..."""
        return self._reader.attributes()

    @property
    def times(self):
        """The sample times of the state variables (ms)."""
        return self._reader.read_double("/time")

    @property
    def instances(self):
        """K, the number of instances of an ensemble run (1 for a single run)."""
        return int(self.attrs.get("instances", 1))

    @property
    def seeds(self):
        """Each instance's seed (``seed + k``), an int64 array of K."""
        if self.instances == 1:
            return np.array([self.attrs.get("seed", 0)], dtype=np.int64)
        return self._reader.read_int64("/instances/seed")

    def swept(self, name):
        """Each instance's value of the swept parameter ``name`` (``"PN.g_KL"``), a float64 array of K."""
        path = f"/instances/{name}"
        self._check(path, f"the parameter '{name}' was not swept; a [sweep] entry")
        return self._reader.read_double(path)

    def _check(self, path, what):
        if not self._reader.exists(path):
            raise KeyError(f"{what} was not recorded; record it with model.record(...) "
                           f"or a [record.<population>] table")

    def _instance(self, instance):
        """The checked instance number, or None for all."""
        if instance is None:
            return None
        k = int(instance)
        if not 0 <= k < self.instances:
            raise IndexError(f"instance={instance!r}: this run has {self.instances} instance(s), 0 .. "
                             f"{self.instances - 1}")
        return k

    def spikes(self, population, instance=None):
        """``(times, indices)`` of every spike of ``population``, in time order (ms; neuron indices).

        In an ensemble: ``(times, indices, instances)``, or with ``instance=k`` instance k's
        ``(times, indices)``.
        """
        k = self._instance(instance)
        base = f"/populations/{population}/spikes"
        self._check(base + "/time", f"no spikes of population '{population}'")
        times, index = self._reader.read_double(base + "/time"), self._reader.read_int64(base + "/index")
        if self.instances == 1:
            return times, index
        owner = self._reader.read_int64(base + "/instance")
        if k is None:
            return times, index, owner
        mine = owner == k
        return times[mine], index[mine]

    def state(self, population, variable, instance=None):
        """``(times, values)`` of a recorded state variable: values has shape (samples, recorded neurons).

        In an ensemble values has shape (samples, instances, recorded neurons), or with
        ``instance=k`` (samples, recorded neurons) of instance k.
        """
        k = self._instance(instance)
        path = f"/populations/{population}/state/{variable}"
        self._check(path, f"state variable '{variable}' of population '{population}'")
        values = self._reader.read_matrix(path)
        if self.instances == 1:
            return self.times, values
        values = values.reshape(len(values), self.instances, -1)
        return self.times, (values if k is None else values[:, k, :])

    def neurons(self, population):
        """The neuron index of each column of ``state(population, ...)`` (within an instance)."""
        path = f"/populations/{population}/state/neurons"
        self._check(path, f"no state of population '{population}'")
        return self._reader.read_int64(path)

    def spike_counts(self, population, size=None, instance=None):
        """Spikes per neuron (an array of ``size`` counts; default: up to the highest index that fired).

        In an ensemble without ``instance``: an array (instances, size).
        """
        found = self.spikes(population, instance)
        if len(found) == 2:
            return np.bincount(found[1], minlength=size or 0)
        _, index, owner = found
        size = max(size or 0, int(index.max()) + 1 if len(index) else 0)
        return np.bincount(owner * size + index, minlength=self.instances * size).reshape(self.instances, size)

    def rates(self, population, size=None, instance=None):
        """Firing rate per neuron (Hz) over the simulated time recorded so far (per instance in an ensemble)."""
        t = self.times
        duration_ms = t[-1] - t[0] if len(t) > 1 else 0.0
        counts = self.spike_counts(population, size, instance)
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
