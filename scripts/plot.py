#!/usr/bin/python3
"""Plots a psst output file: one row per recorded population, with its spike
raster (neuron index vs time), its population rate (PSTH, spikes per neuron per
second) and its voltage: traces of V for 1 to 3 recorded neurons, a heatmap of
neurons x time (colour = V) for more, like the PSST figures. Without V the first
recorded state variable is drawn. Excitatory and inhibitory blocks of neurons
(from the projections they send, scripts/plot_model.py) are coloured and
marked. Rates are taken over the time recorded (an interrupted run's data ends
early) or the --window. Prints the spike count and rate of every population and
the PNG written.

  /usr/bin/python3 scripts/plot.py FILE.h5 [--out FILE.png] [--window START END] [--bin MS]
                                    [--max-neurons N] [--variable NAME]

Needs Debian's python3-h5py, python3-matplotlib and python3-numpy (scripts/setup.sh).
The file layout is described in docs/output.md.
"""
import argparse
import math
import os
import sys

try:
    import h5py
    import matplotlib
    import numpy as np
except ImportError as e:  # pragma: no cover
    print(f"plot.py: {e}; install python3-h5py, python3-matplotlib and python3-numpy", file=sys.stderr)
    sys.exit(1)

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

import plot_model  # noqa: E402  (scripts/plot_model.py)

MAX_HEATMAP_SAMPLES = 4000  # time columns drawn in a heatmap; longer recordings are strided
MAX_TICK_RASTER = 200       # up to this many neurons a spike is a vertical tick, beyond a dot
BLOCK_COLOURS = {"E": "tab:blue", "I": "tab:red", None: "k"}


def fail(message):
    print(f"plot.py: {message}", file=sys.stderr)
    sys.exit(1)


def attribute(f, name, default=None):
    value = f.attrs.get(name, default)
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    if isinstance(value, np.ndarray) and value.size == 1:
        return value.item()
    return value


def model_description(f):
    """The model file stored in the output (attribute 'model'), parsed; {} if unavailable."""
    text = attribute(f, "model")
    if not isinstance(text, str):
        return {}
    try:
        import tomllib
        return tomllib.loads(text)
    except Exception:  # an old Python, or a model built in C++ ("<api>")
        return {}


def number(value):
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


class Population:
    def __init__(self, name, group, model, instance=0):
        self.name = name
        spikes = group.get("spikes")
        self.spike_times = spikes["time"][:] if spikes is not None and "time" in spikes else None
        self.spike_index = spikes["index"][:] if spikes is not None and "index" in spikes else None
        # An ensemble (docs/output.md, "Ensembles"): one instance's spikes; the spike count of every instance.
        self.instance = instance
        self.instance_counts = None
        if spikes is not None and "instance" in spikes and self.spike_times is not None:
            of = spikes["instance"][:]
            self.instance_counts = np.bincount(of)
            self.spike_times, self.spike_index = self.spike_times[of == instance], self.spike_index[of == instance]
        self.state = group.get("state")
        recorded = [k for k in self.state.keys() if k != "neurons"] if self.state is not None else []
        # Prefer the order of [record.<P>].variables in the model file.
        wanted = model.get("record", {}).get(name, {}).get("variables", [])
        self.variables = [v for v in wanted if v in recorded] + [v for v in recorded if v not in wanted]
        self.neurons = None
        if self.state is not None and "neurons" in self.state:
            self.neurons = self.state["neurons"][:]
        size = model.get("populations", {}).get(name, {}).get("size")
        if not isinstance(size, int) or size < 1:
            size = 1
            if self.spike_index is not None and len(self.spike_index):
                size = max(size, int(self.spike_index.max()) + 1)
            if self.neurons is not None and len(self.neurons):
                size = max(size, int(self.neurons.max()) + 1)
        self.size = size
        self.blocks = plot_model.blocks(model, name, size)
        self.label = plot_model.label(name, size, self.blocks)

    def windowed_spikes(self, t0, t1):
        """Spike times and indices inside [t0, t1]."""
        inside = (self.spike_times >= t0) & (self.spike_times <= t1)
        return self.spike_times[inside].astype(float), self.spike_index[inside].astype(int)

    def groups(self):
        """(label, neuron mask function, colour) per block, or one for the whole population."""
        if not self.blocks:
            return [(self.name, lambda i: np.ones(len(i), bool), "k", self.size)]
        return [(f"{b}-{e - 1} {s}", (lambda i, b=b, e=e: (i >= b) & (i < e)), BLOCK_COLOURS[s], e - b)
                for b, e, s in self.blocks]

    def state_data(self, variable):
        """(samples, neurons) of one instance: an ensemble's datasets are (samples, instances, neurons)."""
        data = self.state[variable]
        return data[:, self.instance, :] if data.ndim == 3 else data

    def variable(self, requested):
        if requested in self.variables:
            return requested
        for v in ("V", "v"):
            if v in self.variables:
                return v
        return self.variables[0] if self.variables else None

    def summary(self, t0, t1):
        if self.spike_times is None:
            return f"{self.label}: spikes not recorded"
        times, index = self.windowed_spikes(t0, t1)
        count = len(times)
        active = len(np.unique(index)) if count else 0
        line = f"{self.label}: {count} spike{'' if count == 1 else 's'} from {active} neuron{'' if active == 1 else 's'}"
        if t1 > t0:
            line += f" of {self.size} ({count / self.size / ((t1 - t0) / 1000.0):.3g} Hz per neuron over {t1 - t0:g} ms)"
        if self.instance_counts is not None:  # the whole recording of every instance
            c = self.instance_counts
            line += (f"; instance {self.instance} shown; all {len(c)} instances: {c.mean():.4g} +- {c.std():.3g} "
                     f"spikes (min {c.min()}, max {c.max()})")
        return line


def set_time_axis(ax, t0, t1):
    if t1 > t0:
        ax.set_xlim(t0, t1)
    ax.set_xlabel("time (ms)")


def draw_rate(ax, p, t0, t1, bin_ms):
    """Population rate: spikes per neuron per second in bins of bin_ms, per E/I block."""
    set_time_axis(ax, t0, t1)
    ax.set_ylabel("rate (spikes/s per neuron)")
    ax.set_title(f"{p.name}: population rate, {bin_ms:g} ms bins")
    if p.spike_times is None or t1 <= t0:
        return
    times, index = p.windowed_spikes(t0, t1)
    edges = np.arange(t0, t1 + bin_ms, bin_ms)
    for label, member, colour, count in p.groups():
        histogram = np.histogram(times[member(index)], edges)[0] / (count * bin_ms / 1000.0)
        ax.step(edges[:-1], histogram, where="post", color=colour, lw=1.0, label=label)
    if p.blocks:
        ax.legend(loc="upper right", fontsize=8, framealpha=0.8)


def draw_raster(ax, p, t0, t1):
    ax.set_ylim(-0.5, p.size - 0.5)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
    ax.set_ylabel("neuron")
    set_time_axis(ax, t0, t1)
    for b, e, sign in p.blocks:  # E/I blocks: a boundary line and a label at the right
        if b > 0:
            ax.axhline(b - 0.5, color="0.5", lw=0.6)
        ax.text(1.01, (b + e - 1) / 2 / max(p.size - 1, 1), sign, transform=ax.transAxes, va="center",
                color=BLOCK_COLOURS[sign], fontsize=9)
    if p.spike_times is None:
        ax.set_title(f"{p.name}: spikes not recorded")
        ax.text(0.5, 0.5, "spikes not recorded\n(no threshold, or spikes = false)", ha="center", va="center",
                transform=ax.transAxes, color="0.4")
        return
    times, index = p.windowed_spikes(t0, t1)
    count = len(times)
    ax.set_title(f"{p.label}: {count} spike{'' if count == 1 else 's'}, {p.size} neuron{'' if p.size == 1 else 's'}")
    if count == 0:
        ax.text(0.5, 0.5, "no spikes", ha="center", va="center", transform=ax.transAxes, color="0.4")
        return
    for _, member, colour, _ in p.groups():
        chosen = member(index)
        t, i = times[chosen], index[chosen].astype(float)
        if p.size <= MAX_TICK_RASTER:
            half = 0.4 if p.size > 1 else 0.3
            segments = np.stack([np.column_stack([t, i - half]), np.column_stack([t, i + half])], axis=1)
            ax.add_collection(LineCollection(segments, colors=colour, linewidths=1.0 if p.size > 50 else 1.4))
        else:
            ax.plot(t, i, ".", color=colour, markersize=1.0, markeredgewidth=0, rasterized=True)


def draw_state(fig, ax, p, variable, time, t0, t1, max_neurons):
    if variable is None:
        ax.text(0.5, 0.5, f"{p.name}: no state recorded", ha="center", va="center", transform=ax.transAxes,
                color="0.4")
        ax.set_axis_off()
        return
    data = p.state_data(variable)
    if data.ndim != 2:  # not written by psst's recorder; say so in the panel, draw the rest
        ax.set_title(f"{p.name}: {variable}")
        ax.text(0.5, 0.5, f"unexpected shape {data.shape};\nexpected (samples, neurons)", ha="center", va="center",
                transform=ax.transAxes, color="0.4")
        return
    samples = min(data.shape[0], len(time))
    first_sample = int(np.searchsorted(time[:samples], t0))
    samples = int(np.searchsorted(time[:samples], t1, side="right"))
    columns = data.shape[1]
    neurons = p.neurons if p.neurons is not None and len(p.neurons) == columns else np.arange(columns)
    label = variable  # in the model's own units
    set_time_axis(ax, t0, t1)
    time = time[first_sample:]
    data = data[first_sample:samples] if samples > first_sample else data[0:0]
    samples = max(0, samples - first_sample)
    if columns == 0 or samples == 0:
        ax.set_title(f"{p.name}: {variable}")
        ax.text(0.5, 0.5, "no samples" if columns else "no neurons recorded", ha="center", va="center",
                transform=ax.transAxes, color="0.4")
        return
    if columns <= 3:
        for column in range(columns):
            ax.plot(time[:samples], data[:samples, column], lw=0.9, label=f"neuron {neurons[column]}")
        if columns > 1:
            ax.legend(loc="upper right", fontsize=8, framealpha=0.8)
        ax.set_ylabel(label)
        ax.set_title(f"{p.name}: {variable}" + (f" of neuron {neurons[0]}" if columns == 1 else ""))
        return
    # Heatmap: recorded neurons (rows) x time, at most max_neurons rows and MAX_HEATMAP_SAMPLES columns.
    n_step = max(1, math.ceil(columns / max(1, max_neurons)))
    t_step = max(1, math.ceil(samples / MAX_HEATMAP_SAMPLES))
    values = data[0:samples:t_step, 0:columns:n_step].T
    t = time[0:samples:t_step]
    rows = values.shape[0]
    half = 0.5 * (t[1] - t[0]) if len(t) > 1 else 0.5
    contiguous = bool(np.all(np.diff(neurons) == 1)) if columns > 1 else True
    first = int(neurons[0]) if contiguous else 0
    extent = [t[0] - half, t[-1] + half, first - 0.5, first + rows * n_step - 0.5]
    finite = values[np.isfinite(values)]
    image = ax.imshow(values, aspect="auto", origin="lower", cmap="viridis", extent=extent,
                      interpolation="nearest" if rows <= 200 else "antialiased",
                      vmin=finite.min() if finite.size else None, vmax=finite.max() if finite.size else None)
    fig.colorbar(image, ax=ax, label=label, pad=0.02)
    if contiguous:
        ax.set_ylabel("neuron")
    else:  # a selection, e.g. neurons = [3, 17, 40]: rows labelled by the neuron they show
        ax.set_ylabel("neuron (recorded)")
        ax.yaxis.set_major_formatter(FuncFormatter(
            lambda y, _: str(neurons[int(round(y)) * n_step]) if 0 <= round(y) < rows else ""))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
    what = f"{columns} of {p.size} neurons" if columns != p.size else f"{columns} neurons"
    if n_step > 1:
        what += f", every {n_step}th shown"
    ax.set_title(f"{p.name}: {variable}, {what}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", help="a psst output file (HDF5)")
    parser.add_argument("--out", help="PNG to write (default: FILE with .png)")
    parser.add_argument("--max-neurons", type=int, default=500,
                        help="at most this many neurons (rows) per heatmap; more are strided (default 500)")
    parser.add_argument("--variable", help="state variable to draw (default: V or v, else the first recorded)")
    parser.add_argument("--window", nargs=2, type=float, metavar=("START", "END"),
                        help="draw and count only [START, END] ms (default: all the time recorded)")
    parser.add_argument("--instance", type=int, default=0,
                        help="an ensemble's instance to draw (default 0); the summary lists every instance's spikes")
    parser.add_argument("--bin", type=float, help="bin of the population rate in ms (default: 1/100 of the window)")
    args = parser.parse_args()
    if args.max_neurons < 1:
        fail("--max-neurons must be at least 1")
    if args.window and not args.window[0] < args.window[1]:
        fail(f"--window {args.window[0]:g} {args.window[1]:g}: START must be before END (ms)")
    if args.bin is not None and not args.bin > 0:
        fail(f"--bin {args.bin:g}: the bin must be a positive number of ms")
    out = args.out or os.path.splitext(args.file)[0] + ".png"
    if not os.path.exists(args.file):
        fail(f"cannot read '{args.file}': no such file")
    try:
        f = h5py.File(args.file, "r")
    except OSError as e:
        fail(f"cannot read '{args.file}': it is not an HDF5 file ({e})")
    with f:
        if "time" not in f or not isinstance(f["time"], h5py.Dataset) or "psst_version" not in f.attrs:
            fail(f"'{args.file}' is not a psst output file (it has no /time dataset or no psst_version attribute)")
        if "populations" not in f or not len(f["populations"]):
            fail(f"'{args.file}' records nothing: its model has no [record.<population>] table")
        time = f["time"][:]
        model = model_description(f)
        names = list(f["populations"].keys())
        order = list(model.get("populations", {}).keys())
        names.sort(key=lambda n: order.index(n) if n in order else len(order))
        instances = int(attribute(f, "instances", 1) or 1)
        if not 0 <= args.instance < instances:
            fail(f"--instance {args.instance}: the file has {instances} instance{'s' if instances > 1 else ''} "
                 f"(0 to {instances - 1})")
        populations = [Population(n, f["populations"][n], model, args.instance) for n in names]
        # The time recorded (an interrupted run stops early), or the window inside it.
        t0, t1 = (float(time[0]), float(time[-1])) if len(time) else (0.0, 0.0)
        if args.window:
            t0, t1 = max(t0, args.window[0]), min(t1, args.window[1])
            if not t0 < t1:
                fail(f"--window {args.window[0]:g} {args.window[1]:g} ms holds no recorded time "
                     f"(recorded: {float(time[0]) if len(time) else 0:g} to {float(time[-1]) if len(time) else 0:g} ms)")
        bin_ms = args.bin or max((t1 - t0) / 100.0, float(attribute(f, "dt", 0.01) or 0.01))

        fig, axes = plt.subplots(len(populations), 3, figsize=(17, 2.2 + 2.6 * len(populations)), squeeze=False,
                                 gridspec_kw={"width_ratios": [1, 0.8, 1.2]})
        for (raster, rate, panel), p in zip(axes, populations):
            draw_raster(raster, p, t0, t1)
            draw_rate(rate, p, t0, t1, bin_ms)
            draw_state(fig, panel, p, p.variable(args.variable), time, t0, t1, args.max_neurons)
        model_file = attribute(f, "model_file") or args.file
        title = (f"{os.path.basename(str(model_file))}: {attribute(f, 'method', '?')}, "
                 f"dt = {number(attribute(f, 'dt', '?'))} ms, {number(t1 - t0)} ms shown of "
                 f"{number(attribute(f, 'duration', t1))} ms asked, seed {attribute(f, 'seed', '?')}"
                 + (f", instance {args.instance} of {instances} (seed + {args.instance})" if instances > 1 else ""))
        fig.suptitle(title)
        fig.tight_layout()
        try:
            fig.savefig(out, dpi=110)
        except OSError as e:
            fail(f"cannot write '{out}': {e}")
        for p in populations:
            print(p.summary(t0, t1))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
