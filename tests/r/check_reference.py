#!/usr/bin/env python3
"""Runs tests/r/loss_reference.R again and compares its output with the stored
tests/r/loss_reference.json (the figures the C++ tests compare the library with).

Usage: check_reference.py RSCRIPT TESTS_R_DIR
Exit 0 when every figure agrees (to 1e-12 relative), 77 (skipped) when actuar is not installed.
"""
import json
import math
import subprocess
import sys
from pathlib import Path

rscript, here = sys.argv[1], Path(sys.argv[2])
probe = subprocess.run([rscript, "-e", "library(actuar)"], capture_output=True, text=True)
if probe.returncode != 0:
    print("actuar is not installed: skipped (apt install r-cran-actuar)")
    sys.exit(77)
fresh = subprocess.run([rscript, str(here / "loss_reference.R")], capture_output=True, text=True, check=True).stdout
stored = json.loads((here / "loss_reference.json").read_text())
now = json.loads(fresh)
problems = []


def compare(a, b, path):
    if isinstance(a, dict):
        if set(a) != set(b):
            problems.append(f"{path}: keys differ")
            return
        for k in a:
            compare(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list):
        if len(a) != len(b):
            problems.append(f"{path}: {len(a)} values stored, {len(b)} now")
            return
        for i, (x, y) in enumerate(zip(a, b)):
            compare(x, y, f"{path}[{i}]")
    elif isinstance(a, float) or isinstance(b, float):
        if not math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-300):
            problems.append(f"{path}: stored {a!r}, now {b!r}")
    elif a != b and path != ".generated_by":
        problems.append(f"{path}: stored {a!r}, now {b!r}")


compare(stored, now, "")
for p in problems[:20]:
    print(p)
print(f"{len(problems)} differences between the stored R figures and a fresh run")
sys.exit(1 if problems else 0)
