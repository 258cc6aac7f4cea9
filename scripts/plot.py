#!/usr/bin/python3
"""Plots a psst output file: for every population a spike raster and a voltage
panel (traces for up to 3 recorded neurons, a heatmap of neurons x time beyond),
like the PSST figures.

  /usr/bin/python3 scripts/plot.py FILE.h5 [--out FILE.png] [--variable V] [--max-neurons N]
"""
import argparse
import os
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def fail(message):
    print(f"plot.py: {message}", file=sys.stderr)
    sys.exit(1)


def attribute(f, name, default=""):
    value = f.attrs.get(name, default)
    return value.decode() if isinstance(value, bytes) else value


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file")
    parser.add_argument("--out", help="PNG to write (default: FILE.png)")
    parser.add_argument("--variable", help="state variable to draw (default: V or v, else the first recorded)")
    parser.add_argument("--max-neurons", type=int, default=500, help="at most this many neurons per heatmap")
    args = parser.parse_args()
    out = args.out or os.path.splitext(args.file)[0] + ".png"
    try:
        f = h5py.File(args.file, "r")
    except OSError as e:
        fail(f"cannot read '{args.file}': {e}")
    if "populations" not in f or "time" not in f:
        fail(f"'{args.file}' is not a psst output file (no /populations or /time)")
    time = f["time"][:]
    populations = list(f["populations"].keys())
    rows = []
    for name in populations:
        group = f["populations"][name]
        spikes = group.get("spikes")
        state = group.get("state")
        variables = [k for k in state.keys() if k != "neurons"] if state is not None else []
        variable = args.variable if args.variable in variables else next(
            (v for v in ("V", "v") if v in variables), variables[0] if variables else None)
        rows.append((name, spikes, state, variable))

    fig, axes = plt.subplots(len(rows), 2, figsize=(13, 3.2 * len(rows)), squeeze=False,
                             gridspec_kw={"width_ratios": [1, 1.15]})
    duration = attribute(f, "duration", time[-1] if len(time) else 0)
    summary = []
    for row, (name, spikes, state, variable) in enumerate(rows):
        raster, panel = axes[row]
        if spikes is not None:
            t, i = spikes["time"][:], spikes["index"][:]
            raster.plot(t, i, "|", color="k", markersize=3)
            summary.append(f"{name}: {len(t)} spikes from {len(np.unique(i))} neurons")
            raster.set_title(f"{name}: spikes ({len(t)})")
        else:
            raster.text(0.5, 0.5, "no spikes recorded", ha="center", va="center", transform=raster.transAxes)
            raster.set_title(f"{name}: spikes")
            summary.append(f"{name}: no spike monitor")
        raster.set_xlim(0, float(duration))
        raster.set_xlabel("time (ms)")
        raster.set_ylabel("neuron")
        if variable is None:
            panel.text(0.5, 0.5, "no state recorded", ha="center", va="center", transform=panel.transAxes)
            panel.set_axis_off()
            continue
        values = state[variable]
        neurons = state["neurons"][:] if "neurons" in state else np.arange(values.shape[1])
        samples = min(values.shape[0], len(time))
        if values.shape[1] <= 3:
            for column in range(values.shape[1]):
                panel.plot(time[:samples], values[:samples, column], lw=0.8, label=f"neuron {neurons[column]}")
            panel.legend(loc="upper right", fontsize=8)
            panel.set_ylabel(variable)
        else:
            step = max(1, int(np.ceil(values.shape[1] / args.max_neurons)))
            data = values[:samples, ::step].T
            image = panel.imshow(data, aspect="auto", origin="lower", cmap="viridis", interpolation="nearest",
                                 extent=[time[0], time[samples - 1], 0, data.shape[0] * step])
            fig.colorbar(image, ax=panel, label=f"{variable} (mV)" if variable.lower() == "v" else variable)
            panel.set_ylabel("neuron")
        panel.set_title(f"{name}: {variable}")
        panel.set_xlabel("time (ms)")
    model = os.path.basename(attribute(f, "model_file", args.file))
    fig.suptitle(f"{model}: {attribute(f, 'method')}, dt = {attribute(f, 'dt')} ms, seed {attribute(f, 'seed')}")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    for line in summary:
        print(line)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
