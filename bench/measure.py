"""Measuring a piece of work in a fresh subprocess: wall time and peak resident memory.

Benchmarks compare talentflow with a reference measured in the same run, never against fixed
numbers: ``compare([...])`` prints each measurement and its ratio to the first (the reference).
"""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass

def peak_mb() -> float:
    """This process's peak resident memory in MB: VmHWM on Linux. Not ru_maxrss, which Linux carries
    over a fork and exec: a child would report its parent's size at the fork if that was larger."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


_FOOTER = f"""
import json as _j, sys as _s
{textwrap.dedent(inspect.getsource(peak_mb))}
_s.stdout.write("\\n__measure__" + _j.dumps({{"peak_mb": peak_mb()}}) + "\\n")
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


def _tree_rss_mb(root: int) -> float:
    """Resident memory (MB) of ``root`` and all its descendants, read from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry), int(fields[1])
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(fields[21])  # pages
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total * os.sysconf("SC_PAGE_SIZE") / 2**20


def measure_tree(label: str, code: str, env: dict | None = None, interval: float = 0.1) -> Measurement:
    """Like ``measure`` (one run), but the peak is the summed resident memory of the process and
    its children (a Spark driver JVM, say), sampled every ``interval`` seconds."""
    import threading

    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(code) + _FOOTER], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})})
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss_mb(proc.pid))
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    done.set()
    sampler.join()
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{label} failed:\n{err[-3000:]}")
    out, _, tail = out.rpartition("__measure__")
    own = json.loads(tail)["peak_mb"]
    return Measurement(label, seconds, max(own, peak[0]), out.strip())
