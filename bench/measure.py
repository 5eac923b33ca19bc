"""Measuring a piece of work in a fresh subprocess: wall time and peak resident memory.

Benchmarks compare talentflow with a reference measured in the same run, never against fixed
numbers: ``compare([...])`` prints each measurement and its ratio to the first (the reference).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass

_FOOTER = """
import json as _j, resource as _r, sys as _s
_s.stdout.write("\\n__measure__" + _j.dumps({"peak_mb": _r.getrusage(_r.RUSAGE_SELF).ru_maxrss / 1024}) + "\\n")
"""


@dataclass
class Measurement:
    label: str
    seconds: float
    peak_mb: float
    output: str


def measure(label: str, code: str, env: dict | None = None, repeat: int = 1) -> Measurement:
    """Run ``code`` in a new Python process ``repeat`` times; keep the fastest run."""
    best = None
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code) + _FOOTER], capture_output=True, text=True,
                              env={**os.environ, **(env or {})})
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            raise RuntimeError(f"{label} failed:\n{proc.stderr[-3000:]}")
        out, _, tail = proc.stdout.rpartition("__measure__")
        peak = json.loads(tail)["peak_mb"]
        m = Measurement(label, seconds, peak, out.strip())
        if best is None or m.seconds < best.seconds:
            best = m
    return best


def compare(title: str, results: list[Measurement]) -> str:
    """A table of the measurements with ratios to the first one (the reference)."""
    ref = results[0]
    lines = [f"## {title}", "", "| run | wall s | ratio | peak MB | ratio |", "|---|---:|---:|---:|---:|"]
    for m in results:
        lines.append(f"| {m.label} | {m.seconds:.2f} | {m.seconds / ref.seconds:.2f}x | {m.peak_mb:.0f} | "
                     f"{m.peak_mb / ref.peak_mb:.2f}x |")
    return "\n".join(lines)
