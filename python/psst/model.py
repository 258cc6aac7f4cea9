"""psst.Model: a network read from a model file or built in Python."""
import contextlib
import os
import re
import tempfile

import numpy as np

from . import _psst
from .errors import ModelError
from .toml_text import Writer, quoted

_LOCATION = re.compile(r"^<python>:(\d+)(?::(\d+))?: error: ", re.S)


def load_model(path):
    """Reads a psst model file (TOML, docs/model-files.md) into a :class:`Model`.

    Errors raise :class:`psst.ModelError` naming the file, line and column.
    """
    model = Model.__new__(Model)
    model._init_common()
    model._path = os.fspath(path)
    model._spec = _psst.read_model(model._path)
    return model


class Model:
    """A network of populations and projections, built in Python or read from a file.

    >>> m = psst.Model(duration=200, dt=0.01, method="rk4")
    >>> m.population("HH", size=1, equations=HH_EQUATIONS, parameters={"I_inj": 10, ...},
    ...              initial={"V": -71, "m": 0, "h": 0, "n": 0}, threshold="V >= 0")
    >>> m.record("HH", ["V"])
    >>> m.sweep({"HH.I_inj": [5, 10, 15]})       # an ensemble of 3 instances, one value each

    ``instances``: K independent instances of the network in one run (instance k
    is the single run with seed ``seed + k``); ``sweep`` gives them values.

    Values (parameters, initial values) are numbers, lists or NumPy arrays (one
    per neuron, or per synapse in projections), expression strings (``"-70 + i"``),
    or tables as in a model file (``{"distribution": "normal", "mean": 0, "std": 1}``,
    ``{"file": array}``). ``to_toml()`` shows the model file Python wrote.
    """

    def __init__(self, duration=100.0, dt=0.01, method="rk4", seed=0, record_every=0.0,
                 lastspike_initial=None, precision="double", instances=None):
        self._init_common()
        self._settings = {"duration": duration, "dt": dt, "method": method, "seed": seed,
                          "record_every": record_every, "precision": precision}
        if lastspike_initial is not None:
            self._settings["lastspike_initial"] = lastspike_initial
        if instances is not None:
            self._settings["instances"] = int(instances)
        self._populations = []
        self._projections = []
        self._records = []
        self._sweep = {}

    def _init_common(self):
        self._path = None
        self._spec = None
        self._origins = None
        self._extra_records = {}
        self._arrays = None

    # ---- building ----------------------------------------------------------
    def _built_in_python(self):
        if self._path is not None:
            raise TypeError("a model read from a file is changed in its file; only record() applies to it")
        self._spec = None

    def population(self, name, size=1, equations="", parameters=None, initial=None, threshold=None,
                   jitter=None, inputs=None):
        """Adds a population of ``size`` neurons given by ``equations`` (psst's equation language).

        ``inputs`` maps an input name to a table (NumPy array: one row of steps for
        every neuron, or ``(neurons, steps)``) or to a model-file input table
        (``{"segments": [...], "default": 0}``).
        """
        self._built_in_python()
        self._populations.append(dict(name=name, size=int(size), equations=equations,
                                      parameters=dict(parameters or {}), initial=dict(initial or {}),
                                      threshold=threshold, jitter=jitter, inputs=dict(inputs or {})))
        return self

    def projection(self, name, pre, post, connect="all_to_all", equations=None, parameters=None,
                   initial=None, summed=None, on_pre=None, delay=None):
        """Adds synapses from ``pre`` to ``post`` (population names, or slices ``"PN[0:45]"``).

        ``connect``: ``"all_to_all"``, ``"one_to_one"``, a rule table
        (``{"rule": "probability", "p": 0.5}``), a pair of index arrays ``(pre, post)``,
        or a ``(post, pre)`` matrix whose nonzero entries are synapses.
        ``summed`` maps a postsynaptic input name to a per-synapse expression.
        ``delay`` (ms): a number, or per synapse an array (synapse order), ``{"file": ...}`` or a
        distribution table such as ``{"distribution": "uniform", "low": 1.0, "high": 3.0}``.
        """
        self._built_in_python()
        self._projections.append(dict(name=name, pre=pre, post=post, connect=connect, equations=equations,
                                      parameters=dict(parameters or {}), initial=dict(initial or {}),
                                      summed=dict(summed or {}), on_pre=on_pre, delay=delay))
        return self

    def record(self, population, variables=(), neurons=None, spikes=True):
        """Records state ``variables`` of ``neurons`` (all when None) and the spikes of ``population``."""
        variables = [variables] if isinstance(variables, str) else list(variables)
        neurons = None if neurons is None else [int(n) for n in neurons]
        entry = dict(population=population, variables=variables, neurons=neurons, spikes=bool(spikes))
        if self._path is not None:
            self._extra_records[population] = entry
        else:
            self._built_in_python()
            self._records = [r for r in self._records if r["population"] != population] + [entry]
        return self

    def sweep(self, values, grid=False):
        """Values per instance of an ensemble: ``{"PN.g_KL": [0.02, 0.03], "PROJECTION.g": [...]}``.

        Instance k gets value k of every entry (equal lengths), or with ``grid`` the
        Cartesian product (the last entry varying fastest); it equals the single run
        with seed ``seed + k`` and those values given by ``Simulation.set``. Replaces
        an earlier sweep; ``{}`` removes it. The [sweep] table of docs/model-files.md.
        """
        self._built_in_python()
        self._sweep = {str(name): [float(v) for v in np.asarray(vals, dtype=np.float64).ravel()]
                       for name, vals in dict(values).items()}
        self._sweep_grid = bool(grid)
        return self

    # ---- the model file ----------------------------------------------------
    def to_toml(self):
        """The model as a psst model file (for a loaded model: the file's text)."""
        if self._path is not None:
            return self._parsed().source_text
        return self._writer().text()

    def _writer(self):
        if self._arrays is None:
            self._arrays = tempfile.TemporaryDirectory(prefix="psst-model-")
        w = Writer(self._arrays.name)
        w.line("[simulation]")
        for key, value in self._settings.items():
            w.line(f"{key} = {w.inline(value, key if key in ('seed', 'instances') else None)}")
        for p in self._populations:
            _write_population(w, p)
        for p in self._projections:
            _write_projection(w, p)
        if self._sweep:
            w.line()
            w.line("[sweep]")
            for name, vals in self._sweep.items():
                w.line(f"{quoted(name)} = {w.inline(vals)}")
            if self._sweep_grid:
                w.line("grid = true")
        for r in self._records:
            w.line()
            w.line(f"[record.{r['population']}]")
            w.line(f"variables = {w.inline(r['variables'])}")
            neurons = '"all"' if r["neurons"] is None else w.inline(r["neurons"], "neurons")
            w.line(f"neurons = {neurons}")
            w.line(f"spikes = {w.inline(r['spikes'])}")
        return w

    def _parsed(self):
        if self._spec is None:
            w = self._writer()
            self._origins = w.origins
            with self.errors():
                self._spec = _psst.parse_model(w.text(), "<python>", os.getcwd())
        spec = self._spec
        for r in self._extra_records.values():
            spec.set_record(r["population"], r["variables"], r["neurons"], r["spikes"])
        return spec

    @contextlib.contextmanager
    def errors(self):
        """Maps errors located in the generated model file back to the Python strings."""
        try:
            yield
        except ModelError as e:
            raise self._translate(e) from None

    def _translate(self, error):
        if error.file != "<python>" or self._origins is None:
            return error
        found = self._origins.find(error.line)
        if found is None:
            return error
        label, line = found
        rest = _LOCATION.sub("", error.message)
        where = f"{label}:{line}" + (f":{error.column}" if error.column else "")
        return ModelError(f"{where}: error: {rest}", label, line, error.column)

    # ---- what psst sees ----------------------------------------------------
    @property
    def settings(self):
        """The [simulation] settings: duration, dt, method, seed, record_every, precision."""
        return dict(self._parsed().simulation)

    @property
    def populations(self):
        """{name: size} of every population."""
        return dict(self._parsed().populations)

    def describe(self):
        """Each population's state variables, definitions, parameters and kernels in psst's IR ("ir"),
        as psst compiled them: a list of dicts, one per population."""
        with self.errors():
            return self._parsed().describe()

    def codegen(self):
        """The generated C++ of every kernel (what ``psst codegen`` prints)."""
        with self.errors():
            return _psst.codegen(self._parsed())

    def __repr__(self):
        pops = ", ".join(f"{n}[{s}]" for n, s in self.populations.items())
        return f"<psst.Model {self._path or 'built in Python'}: {pops}>"


def _write_population(w, p):
    name = p["name"]
    w.line()
    w.line(f"[populations.{name}]")
    w.line(f"size = {p['size']}")
    if p["jitter"] is not None:
        w.line(f"jitter = {w.inline(p['jitter'])}")
    if p["threshold"]:
        w.text_block("threshold", p["threshold"], f"population '{name}' threshold")
    w.text_block("equations", p["equations"], f"population '{name}' equations")
    w.values_table(f"populations.{name}.parameters", p["parameters"], f"population '{name}' parameter")
    w.values_table(f"populations.{name}.initial", p["initial"], f"population '{name}' initial value")
    for input_name, table in p["inputs"].items():
        w.line(f"[populations.{name}.inputs.{input_name}]")
        if isinstance(table, dict):
            for key, value in table.items():
                w.line(f"{key} = {w.inline(value, key)}")
        else:
            w.line(f"file = {w.inline(table, 'file')}")


def _write_projection(w, p):
    name = p["name"]
    w.line()
    w.line(f"[projections.{name}]")
    w.line(f"pre = {w.inline(p['pre'])}")
    w.line(f"post = {w.inline(p['post'])}")
    connect = p["connect"]
    if isinstance(connect, tuple) and len(connect) == 2:
        connect = {"rule": "list", "pre": np.asarray(connect[0]).astype(int).tolist(),
                   "post": np.asarray(connect[1]).astype(int).tolist()}
    elif isinstance(connect, np.ndarray):
        connect = {"rule": "matrix", "file": connect}
    w.line(f"connect = {w.inline(connect, 'connect')}")
    if p["delay"] is not None:
        w.line(f"delay = {w.inline(p['delay'])}")
    if p["equations"]:
        w.text_block("equations", p["equations"], f"projection '{name}' equations")
    if p["on_pre"]:
        w.text_block("on_pre", p["on_pre"], f"projection '{name}' on_pre")
    w.values_table(f"projections.{name}.parameters", p["parameters"], f"projection '{name}' parameter")
    w.values_table(f"projections.{name}.initial", p["initial"], f"projection '{name}' initial value")
    if p["summed"]:
        w.line(f"[projections.{name}.summed]")
        for target, expression in p["summed"].items():
            w.text_block(target, expression, f"projection '{name}' summed '{target}'")
