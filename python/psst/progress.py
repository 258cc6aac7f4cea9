"""The progress bar of Simulation.run: tqdm in a terminal or a notebook, nothing otherwise."""
import sys


def _in_notebook():
    try:
        from IPython import get_ipython

        shell = get_ipython()
        return shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell"
    except ImportError:
        return False


def progress_bar(total_ms, enabled):
    """A tqdm bar over simulated ms, or None when disabled, not interactive or tqdm is missing."""
    if not enabled:
        return None
    notebook = _in_notebook()
    if not notebook and not (hasattr(sys.stderr, "isatty") and sys.stderr.isatty()):
        return None
    try:
        if notebook:
            try:
                import ipywidgets  # noqa: F401  (the widget bar needs it)
                from tqdm.notebook import tqdm
            except ImportError:
                from tqdm import tqdm
        else:
            from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=round(total_ms, 6), unit="ms", unit_scale=False,
                desc="psst", bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.1f}/{total:.1f} ms "
                                        "[{elapsed}<{remaining}, {rate_fmt}]", file=sys.stderr)
