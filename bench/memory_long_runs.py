"""Peak resident memory of long antennal-lobe runs: psst's memory must not grow
with simulated time (PSST Day 5's problem). Records the spikes of all 120
neurons and V of 10 PNs every 1 ms, as the issue asks, and prints one line per
duration with the peak RSS of the psst process and the output size.

  /usr/bin/python3 bench/memory_long_runs.py [--psst build/psst] [--backend B] [--threads N] [SECONDS ...]
  (default durations 10 100 1000 s of simulated time)
"""
import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
parser = argparse.ArgumentParser()
parser.add_argument("seconds", nargs="*", type=float, default=[10, 100, 1000])
parser.add_argument("--psst", default=os.path.join(root, "build", "psst"))
parser.add_argument("--backend", default=None)
parser.add_argument("--threads", type=int, default=None)
args = parser.parse_args()

model = open(os.path.join(root, "models", "locust_al.toml")).read()
model = model[: model.index("[record.PN]")]
model += '[record.PN]\nvariables = ["V"]\nneurons = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]\n\n[record.LN]\nspikes = true\n'

with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "locust_al_long.toml")
    with open(path, "w") as f:
        f.write(model)
    print(f"{'simulated (s)':>14} {'wall (s)':>10} {'peak RSS (MiB)':>15} {'output (MiB)':>13}")
    for seconds in args.seconds:
        out = os.path.join(tmp, f"al_{seconds:g}.h5")
        command = [args.psst, "run", path, "-q", "--duration", str(seconds * 1000), "--record-every", "1",
                   "--checkpoint-every", "10000", "-o", out]
        if args.backend:
            command += ["--backend", args.backend]
        if args.threads:
            command += ["--threads", str(args.threads)]
        start = time.time()
        # A fresh child each time, so ru_maxrss of the children is this run's peak (after the
        # previous ones, which were shorter and so smaller if memory is flat).
        pid = os.fork()
        if pid == 0:
            os.execv(command[0], command)
        _, status, usage = os.wait4(pid, 0)
        wall = time.time() - start
        if status != 0:
            sys.exit(f"psst failed on {seconds} s: status {status}")
        print(f"{seconds:>14g} {wall:>10.1f} {usage.ru_maxrss / 1024:>15.1f} {os.path.getsize(out) / 2**20:>13.1f}",
              flush=True)
        os.remove(out)
