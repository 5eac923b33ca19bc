"""Bounded load test of `talentflow serve` on loopback: N clients for S seconds, p50/p95 latency, errors.

    python bench/bench_load.py                       # builds a full-mirror warehouse in a temp dir
    python bench/bench_load.py --db ai.duckdb --clients 16 --seconds 60
    python bench/bench_load.py --db ai.duckdb --mix varied          # random filters (seeded, bounded)
    python bench/bench_load.py --host 127.0.0.1 --port 8000 --mix varied   # a server already running
    python bench/bench_load.py --db ai.duckdb --stall                # a cheap request beside 8 expensive ones

``--mix fixed`` (default) loops over the dashboard's requests below. ``--mix varied`` draws
each request from a seeded generator: random year ranges, panel, level, country, region, page,
organization (known ones and unknown ones), over the dashboard's endpoints; the pool of distinct
requests is bounded (``--pool``), so a run of a minute sees both first computations and repeats.

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
import random
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


PANELS = ["all", "ieee", "acl", "openreview", "paperlists", "csv"]
LEVELS = ["country", "region", "hub", "org"]
COUNTRIES = ["USA", "CHN", "DEU", "GBR", "FRA", "CAN", "JPN", "KOR", "IND", "SGP", "CHE", "ISR", "XKX"]
REGIONS = ["Europe%20%26%20Central%20Asia", "East%20Asia%20%26%20Pacific", "North%20America"]
ORGS = ["Google", "Meta", "Microsoft", "Tsinghua%20University", "Stanford%20University", "Alibaba"]
UNKNOWN_ORGS = ["Acme%20Robotics%20{k}", "Nowhere%20Institute%20{k}", "Zzz%20Lab%20{k}"]


def varied_mix(seed: int, pool: int) -> list[str]:
    """``pool`` distinct requests with random filters (seeded): what users of the dashboard and of
    the API ask when they move the year sliders, switch panels, drill down and page."""
    rnd = random.Random(seed)
    out: list[str] = []
    seen: set[str] = set()

    def years() -> str:
        if rnd.random() < 0.25:
            return ""
        lo = rnd.randint(1995, 2023)
        hi = rnd.randint(lo, 2025)
        return f"&year_from={lo}&year_to={hi}"

    while len(out) < pool:
        panel = f"&panel={rnd.choice(PANELS)}" if rnd.random() < 0.6 else ""
        kind = rnd.random()
        if kind < 0.30:
            extra = rnd.choice(["", f"&country={rnd.choice(COUNTRIES)}", f"&region={rnd.choice(REGIONS)}"])
            path = f"/api/v1/flows?level={rnd.choice(LEVELS)}{years()}{panel}{extra}&page={rnd.randint(1, 4)}"
        elif kind < 0.45:
            path = f"/api/v1/rates?page_size={rnd.choice([50, 100, 300])}&page={rnd.randint(1, 3)}{years()}{panel}"
        elif kind < 0.55:
            path = f"/api/v1/headline?{years()[1:]}{panel}"
        elif kind < 0.65:
            path = f"/api/v1/countries/{rnd.choice(COUNTRIES)}?{years()[1:]}{panel}"
        elif kind < 0.72:
            path = f"/api/v1/organizations?top=20{years()}{panel}"
        elif kind < 0.80:
            org = rnd.choice(ORGS) if rnd.random() < 0.5 else rnd.choice(UNKNOWN_ORGS).format(k=rnd.randint(1, 50))
            path = f"/api/v1/organizations?org={org}{years()}"
        elif kind < 0.86:
            path = f"/api/v1/flows/top?level={rnd.choice(LEVELS)}&n={rnd.choice([10, 20, 50])}{years()}{panel}"
        elif kind < 0.91:
            path = f"/api/v1/pipeline?page={rnd.randint(1, 3)}{years()}{panel}"
        elif kind < 0.95:
            path = f"/api/v1/rates/{rnd.choice(COUNTRIES)}/years?{panel[1:]}"
        else:
            path = rnd.choice(["/api/v1/health", "/api/v1/meta", f"/api/v1/countries/{rnd.choice(COUNTRIES)}/organizations"])
        path = path.replace("?&", "?").rstrip("?")
        if path not in seen:
            seen.add(path)
            out.append(path)
    return out


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
    # the server's log goes to a file: a pipe nobody reads fills up and blocks the server
    log = open(Path(tempfile.gettempdir()) / f"tf-load-server-{port}.log", "w+b")  # noqa: SIM115
    proc = subprocess.Popen([_talentflow(), "serve", "--db", str(db), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=log)
    proc.stderr = log  # read back on failure
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            proc.stderr.seek(0)
            raise RuntimeError(f"the server exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("the server did not answer within 60 s")


answers_4xx = [0]


def run_load(base: str, clients: int, seconds: float, mix: list[str] | None = None,
             seed: int = 0) -> tuple[dict[str, list[float]], dict[str, int], int]:
    mix = mix or MIX
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    sent = [0]
    answers_4xx[0] = 0

    def client(k: int) -> None:
        local: dict[str, list[float]] = defaultdict(list)
        local_err: dict[str, int] = defaultdict(int)
        rnd = random.Random(seed * 1000 + k)
        i = k
        with httpx.Client(base_url=base, timeout=60) as http:
            while time.monotonic() < stop_at:
                with lock:
                    if sent[0] >= MAX_REQUESTS:
                        break
                    sent[0] += 1
                path = mix[i % len(mix)] if mix is MIX else mix[rnd.randrange(len(mix))]
                i += 1
                t0 = time.perf_counter()
                try:
                    r = http.get(path)
                    # the fixed mix must answer 200 throughout; in the varied mix a documented 4xx is an
                    # answer (an unknown organization: 404; one with nobody in the years, a country the
                    # warehouse lacks: 400/404), counted apart; errors are 5xx and failed connections
                    ok = r.status_code == 200 or (mix is not MIX and r.status_code in (400, 404))
                    if ok and r.status_code != 200:
                        with lock:
                            answers_4xx[0] += 1
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


def endpoint(path: str) -> str:
    """A varied request's endpoint (its path with the country or organization folded)."""
    base = path.split("?")[0]
    parts = base.split("/")
    if len(parts) > 4 and parts[3] in ("countries", "rates"):
        parts[4] = "{iso3}"
    name = "/".join(parts)
    return name + (" (org=...)" if "org=" in path and name.endswith("organizations") else "")


def stall(base: str, seconds: float, seed: int) -> None:
    """8 clients ask expensive, never-cached requests (unknown organizations, bootstraps of fresh
    year ranges and panels) while one client times cheap requests (health, a cached page, an
    uncached cheap one)."""
    rnd = random.Random(seed)
    stop_at = time.monotonic() + seconds
    heavy_lat: list[float] = []
    cheap: dict[str, list[float]] = defaultdict(list)
    lock = threading.Lock()

    def heavy(k: int) -> None:
        r = random.Random(seed * 100 + k)
        with httpx.Client(base_url=base, timeout=120) as http:
            n = 0
            while time.monotonic() < stop_at:
                n += 1
                if n % 2:
                    path = f"/api/v1/organizations?org=Unknown%20Org%20{k}x{n}x{r.randint(0, 10**9)}"
                else:
                    lo = r.randint(1990, 2020)
                    path = (f"/api/v1/headline?year_from={lo}&year_to={r.randint(lo, 2025)}"
                            f"&panel={r.choice(PANELS)}&min_cell={r.randint(10, 5000)}")
                t0 = time.perf_counter()
                try:
                    http.get(path)
                except httpx.HTTPError:
                    pass
                with lock:
                    heavy_lat.append((time.perf_counter() - t0) * 1000)

    threads = [threading.Thread(target=heavy, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    with httpx.Client(base_url=base, timeout=120) as http:
        http.get("/api/v1/meta")
        j = 0
        while time.monotonic() < stop_at - 0.5:
            j += 1
            lo = rnd.randint(1990, 2020)
            fresh = f"year_from={lo}&year_to={rnd.randint(lo, 2025)}&panel={rnd.choice(PANELS)}&min_cell={10 + j}"
            for name, path in (("health", "/api/v1/health"), ("meta (cached)", "/api/v1/meta"),
                               ("flows, new page (response uncached)", f"/api/v1/flows?level=country&country="
                                f"{rnd.choice(COUNTRIES)}&page={j}"),
                               ("flows, new filters (computed)", f"/api/v1/flows?level=country&{fresh}")):
                t0 = time.perf_counter()
                http.get(path)
                cheap[name].append((time.perf_counter() - t0) * 1000)
            time.sleep(0.2)
    for t in threads:
        t.join()
    print(f"\nstall: 8 clients of expensive uncached requests for {seconds:.0f} s "
          f"({len(heavy_lat)} done, p50 {pct(heavy_lat, 50):.0f} ms, max {max(heavy_lat or [0]):.0f} ms); "
          "cheap requests meanwhile:")
    for name, v in cheap.items():
        print(f"  {name:38s} n {len(v):4d}  p50 {pct(v, 50):8.1f} ms  p95 {pct(v, 95):8.1f} ms  max {max(v):8.1f} ms")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", type=Path, help="warehouse with `talentflow infer` results (default: build one)")
    ap.add_argument("--host", help="a running server's address (loopback only): no server is started")
    ap.add_argument("--port", type=int, help="the running server's port (with --host)")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--mix", choices=["fixed", "varied"], default="fixed")
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--pool", type=int, default=600, help="distinct requests of the varied mix (10..20000)")
    ap.add_argument("--stall", action="store_true", help="also time cheap requests beside 8 expensive clients")
    ap.add_argument("--passes", type=int, default=1, help="run the load this many times (1..5) on the same server")
    ap.add_argument("--no-wait-warm", action="store_true", help="start before the server's warm-up finished")
    args = ap.parse_args()
    if not 1 <= args.clients <= 64 or not 1 <= args.seconds <= 600 or not 10 <= args.pool <= 20_000 \
            or not 1 <= args.passes <= 5:
        ap.error("--clients 1..64, --seconds 1..600, --pool 10..20000, --passes 1..5")
    if args.host and args.host not in ("127.0.0.1", "localhost", "::1"):
        ap.error("--host: loopback only (127.0.0.1, localhost, ::1)")
    if bool(args.host) != bool(args.port):
        ap.error("--host and --port go together")
    tmp = Path(tempfile.mkdtemp(prefix="tf-load-"))
    proc = None
    try:
        if args.host:
            base = f"http://{'[::1]' if args.host == '::1' else args.host}:{args.port}"
        else:
            db = args.db or build_warehouse(tmp)
            port = _free_port()
            base = f"http://127.0.0.1:{port}"
            proc = start_server(db, port)
        t_warm = time.perf_counter()
        if not args.no_wait_warm:
            with httpx.Client(base_url=base, timeout=30) as http:
                deadline = time.monotonic() + 600
                while time.monotonic() < deadline:
                    warm = http.get("/api/v1/health").json().get("warm", "done")
                    if warm == "done":
                        break
                    time.sleep(0.5)
            print(f"server warm-up (background, all panels' default views): waited {time.perf_counter() - t_warm:.1f} s")
        if args.mix == "fixed":
            mix = MIX
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
        else:
            # no warm-up of the pool: first computations are part of what is measured; the
            # reference (health) is every 10th request of each client
            pool = varied_mix(args.seed, args.pool)
            mix = []
            for k, path in enumerate(pool):
                mix += [path] if k % 9 else ["/api/v1/health", path]
            print(f"varied mix: {len(pool)} distinct requests (seed {args.seed}), drawn at random by each client")
        for run in range(1, args.passes + 1):
            latencies, errors, sent = run_load(base, args.clients, args.seconds, mix, args.seed)
            if args.mix == "varied":
                grouped: dict[str, list[float]] = defaultdict(list)
                gerr: dict[str, int] = defaultdict(int)
                for p, v in latencies.items():
                    grouped[endpoint(p)].extend(v)
                for p, n in errors.items():
                    gerr[endpoint(p)] += n
                latencies, errors = grouped, gerr
            everything = [v for vs in latencies.values() for v in vs]
            ref = latencies.get("/api/v1/health", [])
            ref95 = pct(ref, 95)
            print(f"\npass {run} of {args.passes}" + (" (the same requests again: what the first pass computed is cached)"
                                                      if run > 1 else ""))
            print(f"load ({args.mix} mix): {args.clients} clients, {args.seconds:.0f} s, {sent:,} requests "
                  f"({sent / args.seconds:,.0f}/s), {sum(errors.values())} errors (5xx or failed connections), "
                  f"{answers_4xx[0]} documented 4xx answers")
            print(f"{'endpoint':62s} {'n':>7s} {'p50 ms':>8s} {'p95 ms':>8s} {'p99 ms':>8s} {'p95/ref':>8s} {'err':>5s}")
            for path in (MIX if args.mix == "fixed" else sorted(latencies)):
                v = latencies.get(path, [])
                print(f"{path[:62]:62s} {len(v):7,d} {pct(v, 50):8.1f} {pct(v, 95):8.1f} {pct(v, 99):8.1f} "
                      f"{pct(v, 95) / ref95:8.2f} {errors.get(path, 0):5d}")
            p50, p95, p99 = pct(everything, 50), pct(everything, 95), pct(everything, 99)
            print(f"{'ALL':62s} {len(everything):7,d} {p50:8.1f} {p95:8.1f} {p99:8.1f} {p95 / ref95:8.2f}")
            print(f"reference /api/v1/health under the same load: p50 {pct(ref, 50):.1f} ms, p95 {ref95:.1f} ms")
            verdict = "meets" if p95 <= TARGET_P95_MS and not errors else "MISSES"
            print(f"\np50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms at {args.clients} clients ({args.mix} mix), "
                  f"{sum(errors.values())} errors: {verdict} the target (p95 <= {TARGET_P95_MS:.0f} ms, no errors)")
        if args.stall:
            stall(base, min(args.seconds, 60.0), args.seed)
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
