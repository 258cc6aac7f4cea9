"""Writes a model built in Python as a psst model file (TOML).

A Python model is a model file written by Python: the same reader checks it,
the output file stores it (attribute ``model``) and ``psst resume`` can continue
it. Every text (equations, thresholds, expressions) is written as a ``'''``
block starting on its own line, so an error's line and column inside the
block are its line and column in the Python string (Origins maps them back).
NumPy arrays become TOML lists of exact float64 values, or ``.npy`` files
where psst reads a table (input tables, connection matrices).
"""
import math
import os

import numpy as np


class Origins:
    """Where each text of a Python model starts in its TOML text."""

    def __init__(self):
        self.blocks = []  # (line of the opening ''', number of lines, label)

    def add(self, line, text, label):
        self.blocks.append((line, text.count("\n") + 1, label))

    def find(self, line):
        """(label, line inside the text) of a TOML line, or None."""
        for start, count, label in self.blocks:
            if start < line <= start + count:
                return label, line - start
        return None


def number(value):
    """A TOML number that reads back to the same float64."""
    value = float(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(value)


def quoted(text):
    """A TOML basic string."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


class Writer:
    """Accumulates TOML lines; text blocks are recorded in ``origins``."""

    def __init__(self, array_dir):
        self.lines = []
        self.origins = Origins()
        self.array_dir = array_dir
        self.arrays = 0

    def line(self, text=""):
        self.lines.append(text)

    def text_block(self, key, text, label):
        if "'''" in text:
            raise ValueError(f"{label} contains ''', which a psst model cannot hold")
        self.lines.append(f"{key} = '''")
        self.origins.add(len(self.lines), text, label)
        self.lines.extend(text.split("\n"))
        self.lines[-1] += "'''"

    def save_array(self, array):
        """Writes a table as .npy and returns its path."""
        os.makedirs(self.array_dir, exist_ok=True)
        path = os.path.join(self.array_dir, f"array{self.arrays}.npy")
        self.arrays += 1
        np.save(path, np.ascontiguousarray(np.asarray(array, dtype=np.float64)))
        return path

    def inline(self, value, table_key=None):
        """A value as inline TOML; an array under 'file' is saved as .npy."""
        if isinstance(value, dict):
            items = ", ".join(f"{k} = {self.inline(v, k)}" for k, v in value.items())
            return "{ " + items + " }"
        if isinstance(value, np.ndarray) and table_key == "file":
            return quoted(self.save_array(value))
        if isinstance(value, (np.ndarray, list, tuple)):
            items = value.tolist() if isinstance(value, np.ndarray) else value
            return "[" + ", ".join(self.inline(v, table_key) for v in items) + "]"
        if isinstance(value, (bool, np.bool_)):
            return "true" if value else "false"
        if isinstance(value, (int, np.integer)) and table_key in ("neurons", "pre", "post", "k", "size", "seed", "instances"):
            return str(int(value))
        if isinstance(value, (int, float, np.integer, np.floating)):
            return number(value)
        if isinstance(value, str):
            return quoted(value)
        raise TypeError(f"cannot write {type(value).__name__} {value!r} into a psst model")

    def values_table(self, header, values, label):
        """[header] with name = value lines; strings are expressions (text blocks)."""
        if not values:
            return
        self.line(f"[{header}]")
        for name, value in values.items():
            if isinstance(value, str):
                self.text_block(name, value, f"{label} '{name}'")
            elif isinstance(value, (np.ndarray, list, tuple)):
                self.line(f"{name} = [" + ", ".join(number(v) for v in np.asarray(value, dtype=np.float64).ravel()) + "]")
            else:
                self.line(f"{name} = {self.inline(value, name)}")

    def text(self):
        return "\n".join(self.lines) + "\n"
