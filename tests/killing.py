"""Run a Python script in a subprocess and SIGKILL it once it writes a marker file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path


def kill_at_marker(script: str, args: list[str], marker: Path, timeout: float = 60) -> None:
    """Start ``python -c script *args``; wait until ``marker`` exists; SIGKILL the process.

    Fails if the process ends before writing the marker, or the marker does not appear in time."""
    proc = subprocess.Popen([sys.executable, "-c", script, *args], env=os.environ.copy())
    try:
        deadline = time.time() + timeout
        while not marker.exists():
            assert proc.poll() is None, "the process ended before it could be killed"
            assert time.time() < deadline, f"no marker {marker} after {timeout} s"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
