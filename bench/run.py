"""Run every benchmark script of this folder (bench_*.py) in turn; each prints its own table."""

import subprocess
import sys
from pathlib import Path

here = Path(__file__).resolve().parent
only = set(sys.argv[1:])
for script in sorted(here.glob("bench_*.py")):
    if only and script.stem not in only and script.stem.removeprefix("bench_") not in only:
        continue
    print(f"\n# {script.name}\n", flush=True)
    subprocess.run([sys.executable, str(script)], check=True)
