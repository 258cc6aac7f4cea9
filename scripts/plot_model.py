"""What plot.py reads from the model stored in an output file: which blocks of
neurons of each population are excitatory or inhibitory (from the projections
they send), so that rasters and population rates can mark them.

A projection counts as inhibitory when its name says so (gaba, inh, gi) or its
reversal parameter E is below -50; excitatory when its name says so (ach, exc,
ampa, nmda, ge) or E is above -20; otherwise it marks nothing.
"""
import re

INHIBITORY = re.compile(r"gaba|inh|(^|_)gi($|_)", re.I)
EXCITATORY = re.compile(r"ach|exc|ampa|nmda|(^|_)ge($|_)", re.I)
SLICE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\[\s*(\d*)\s*:\s*(\d*)\s*\])?\s*$")


def projection_sign(name, projection):
    """'E', 'I' or None."""
    if INHIBITORY.search(name):
        return "I"
    if EXCITATORY.search(name):
        return "E"
    reversal = projection.get("parameters", {}).get("E")
    if isinstance(reversal, (int, float)):
        if reversal < -50:
            return "I"
        if reversal > -20:
            return "E"
    return None


def blocks(model, population, size):
    """[(begin, end, 'E' or 'I')] of a population, from the projections it sends; [] when unknown."""
    found = {}
    for name, projection in model.get("projections", {}).items():
        match = SLICE.match(str(projection.get("pre", "")))
        if not match or match.group(1) != population:
            continue
        sign = projection_sign(name, projection)
        if sign is None:
            continue
        begin = int(match.group(2) or 0)
        end = int(match.group(3) or size)
        found.setdefault((begin, min(end, size)), set()).add(sign)
    return sorted((b, e, signs.pop()) for (b, e), signs in found.items() if len(signs) == 1)


def label(population, size, population_blocks):
    """'PN (excitatory)', 'cells (3200 E, 800 I)' or the name."""
    if len(population_blocks) == 1 and population_blocks[0][:2] == (0, size):
        return f"{population} ({'excitatory' if population_blocks[0][2] == 'E' else 'inhibitory'})"
    if population_blocks:
        return f"{population} (" + ", ".join(f"{e - b} {s}" for b, e, s in population_blocks) + ")"
    return population
