"""Bounded load test of `talentflow serve` on loopback: N clients for S seconds, p50/p95 latency, errors.

    python bench/bench_load.py                       # builds a full-mirror warehouse in a temp dir
    python bench/bench_load.py --db ai.duckdb --clients 16 --seconds 60

The server runs as a subprocess on 127.0.0.1 (a free port); the clients are threads of this
process, each with its own HTTP connection, looping over the dashboard's requests (flows at every
level, rates, headline, organizations, drill-downs, specialization, CSV downloads). Every loop is
bounded by time and by a request cap; the server is stopped at the end. After a warm-up pass
(first computations are cached by the server; their latency is reported separately), the
reference measured in the same run is ``/api/v1/health`` (no data work) under the same load:
the table prints each endpoint's p95 against it. Target: p95 <= 100 ms over all requests on the
full-mirror warehouse at 16 clients.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
TARGET_P95_MS = 100.0
MAX_REQUESTS = 2_000_000  # hard cap whatever the duration

MIX = [
    "/api/v1/health",
    "/api/v1/meta",
    "/api/v1/headline",
    "/api/v1/flows?level=country",
    "/api/v1/flows?level=region",
    "/api/v1/flows?level=hub&page_size=200",
    "/api/v1/flows?level=org&page_size=200",
    "/api/v1/flows?level=country&country=USA",
    "/api/v1/flows?level=country&region=Europe%20%26%20Central%20Asia",
    "/api/v1/flows?level=country&year_from=2015&year_to=2022",
    "/api/v1/flows/top?level=country&n=20",
    "/api/v1/rates?page_size=300",
    "/api/v1/rates?region=East%20Asia%20%26%20Pacific",
    "/api/v1/rates/USA/years",
    "/api/v1/countries/USA",
    "/api/v1/countries/DEU",
    "/api/v1/countries/CHN/organizations",
    "/api/v1/organizations?top=20",
    "/api/v1/pipeline",
    "/api/v1/specialization?level=country&page_size=1000",
    "/api/v1/flows?level=country&format=csv",
    "/api/v1/rates?format=csv",
]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _talentflow() -> str:
    exe = Path(sys.executable).parent / "talentflow"
    return str(exe) if exe.exists() else "talentflow"


def build_warehouse(folder: Path) -> Path:
    """The whole mirror ingested, careers inferred, specialization stored."""
    db = folder / "load.duckdb"
    env = dict(os.environ)
    env.setdefault("TALENTFLOW_MIRROR", str(REPO.parent / "shared" / "data"))
    for args in (["ingest", "paperlists"], ["infer"], ["specialization", "--format", "csv", "-o", str(folder / "s.csv")]):
        print(f"building: talentflow {' '.join(args[:2])} ...", flush=True)
        subprocess.run([_talentflow(), *args, "--db", str(db)], check=True, env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    return db


def start_server(db: Path, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([_talentflow(), "serve", "--db", str(db), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("the server did not answer within 60 s")


def run_load(base: str, clients: int, seconds: float) -> tuple[dict[str, list[float]], dict[str, int], int]:
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    sent = [0]

    def client(k: int) -> None:
        local: dict[str, list[float]] = defaultdict(list)
        local_err: dict[str, int] = defaultdict(int)
        i = k
        with httpx.Client(base_url=base, timeout=30) as http:
            while time.monotonic() < stop_at:
                with lock:
                    if sent[0] >= MAX_REQUESTS:
                        break
                    sent[0] += 1
                path = MIX[i % len(MIX)]
                i += 1
                t0 = time.perf_counter()
                try:
                    r = http.get(path)
                    ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                dt = (time.perf_counter() - t0) * 1000
                local[path].append(dt)
                if not ok:
                    local_err[path] += 1
        with lock:
            for p, v in local.items():
                latencies[p].extend(v)
            for p, n in local_err.items():
                errors[p] += n

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors, sent[0]


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", type=Path, help="warehouse with `talentflow infer` results (default: build one)")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=60.0)
    args = ap.parse_args()
    if not 1 <= args.clients <= 64 or not 1 <= args.seconds <= 600:
        ap.error("--clients 1..64, --seconds 1..600")
    tmp = Path(tempfile.mkdtemp(prefix="tf-load-"))
    proc = None
    try:
        db = args.db or build_warehouse(tmp)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        proc = start_server(db, port)
        cold = {}
        with httpx.Client(base_url=base, timeout=300) as http:
            for path in MIX:
                t0 = time.perf_counter()
                status = http.get(path).status_code
                cold[path] = ((time.perf_counter() - t0) * 1000, status)
        bad = {p: s for p, (_, s) in cold.items() if s != 200}
        if bad:
            print(f"warm-up answered non-200: {bad}")
        print(f"warm-up (first request of each, computes and caches): total {sum(v for v, _ in cold.values()) / 1000:.1f} s, "
              f"slowest {max(cold.items(), key=lambda kv: kv[1][0])[0]} {max(v for v, _ in cold.values()):.0f} ms")
        latencies, errors, sent = run_load(base, args.clients, args.seconds)
        everything = [v for vs in latencies.values() for v in vs]
        ref = latencies.get("/api/v1/health", [])
        ref95 = pct(ref, 95)
        print(f"\nload: {args.clients} clients, {args.seconds:.0f} s, {sent:,} requests "
              f"({sent / args.seconds:,.0f}/s), {sum(errors.values())} errors")
        print(f"{'endpoint':62s} {'n':>7s} {'p50 ms':>8s} {'p95 ms':>8s} {'p95/ref':>8s}")
        for path in MIX:
            v = latencies.get(path, [])
            print(f"{path[:62]:62s} {len(v):7,d} {pct(v, 50):8.1f} {pct(v, 95):8.1f} {pct(v, 95) / ref95:8.2f}")
        p50, p95 = pct(everything, 50), pct(everything, 95)
        print(f"{'ALL':62s} {len(everything):7,d} {p50:8.1f} {p95:8.1f} {p95 / ref95:8.2f}")
        verdict = "meets" if p95 <= TARGET_P95_MS and not errors else "MISSES"
        print(f"\np50 {p50:.1f} ms, p95 {p95:.1f} ms at {args.clients} clients, {sum(errors.values())} errors: "
              f"{verdict} the target (p95 <= {TARGET_P95_MS:.0f} ms, no errors)")
        return 0
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
