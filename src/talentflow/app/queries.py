"""Named, parameterized read queries: the one data layer of the report, the dashboard and the JSON API.

Every query is a function ``name(reader, filters, ...) -> pandas.DataFrame`` (or a dict of
them) over a read-only warehouse. They return aggregates only: counts of people below
``Filters.min_cell`` are blanked with every figure derived from them. SQL here is written by
talentflow: user values travel as parameters, identifiers come from fixed whitelists.

Where a section's data has not been computed yet, a query raises :class:`MissingData`, which
names the command that produces it (``talentflow infer --db ...``); the report and the
dashboard show that as an empty state, never as made-up figures.

>>> from talentflow.app.queries import Reader, Filters, flows
>>> with Reader.open("ai.duckdb") as r:                                 # doctest: +SKIP
...     flows(r, Filters(level="country", year_from=2015)).head()
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Literal, TypeVar, get_args

import numpy as np
import pandas as pd

from talentflow.errors import ConfigError, InputError, WarehouseError
from talentflow.metrics.suppression import small
from talentflow.metrics.uncertainty import use_bank
from talentflow.store.warehouse import Warehouse

Level = Literal["country", "region", "hub", "org"]
Panel = Literal["all", "ieee", "acl", "openreview", "paperlists", "openalex", "csv"]
FieldKind = Literal["subfield", "domain"]
LEVELS: tuple[str, ...] = get_args(Level)
PANELS: tuple[str, ...] = get_args(Panel)
FIELD_KINDS: tuple[str, ...] = get_args(FieldKind)

ISO3_RE = re.compile(r"^[A-Z]{3}$")
# Names of regions, fields, organizations: letters, digits, spaces and a little punctuation.
NAME_RE = re.compile(r"^[\w .,&'()/+:-]{1,120}$")
YEAR_MIN, YEAR_MAX = 1950, 2100

T = TypeVar("T")


class MissingData(WarehouseError):
    """A section's results are not in the warehouse yet; ``command`` produces them."""

    def __init__(self, what: str, command: str):
        super().__init__(f"{what}: not in this warehouse yet; run `{command}`")
        self.what = what
        self.command = command


@dataclass(frozen=True)
class Filters:
    """What a view shows. Validated on construction (ConfigError names the bad value).

    level: flows and networks at country, World Bank region, AI hub or organization level;
    year_from / year_to: inclusive years (a move's year is its first year at the destination);
    country: ISO3 code (flows in or out of it; its drill-down); region: World Bank region;
    field: a subfield or application domain (specialization views); field_kind: subfield or
    domain; org: an organization name or id (organization flows and composition);
    panel: researchers of these identity namespaces (ieee, acl, openreview...);
    min_cell: counts of 1..min_cell-1 researchers are blanked; n_boot: bootstrap replicates.
    """

    level: Level = "country"
    year_from: int | None = None
    year_to: int | None = None
    country: str | None = None
    region: str | None = None
    field: str | None = None
    field_kind: FieldKind = "subfield"
    org: str | None = None
    panel: Panel = "all"
    min_cell: int = 10
    n_boot: int = 200

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ConfigError(f"level={self.level!r}: expected one of {', '.join(LEVELS)}")
        if self.panel not in PANELS:
            raise ConfigError(f"panel={self.panel!r}: expected one of {', '.join(PANELS)}")
        if self.field_kind not in FIELD_KINDS:
            raise ConfigError(f"field_kind={self.field_kind!r}: expected subfield or domain")
        for name in ("year_from", "year_to"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or not YEAR_MIN <= value <= YEAR_MAX):
                raise ConfigError(f"{name}={value!r}: expected a year between {YEAR_MIN} and {YEAR_MAX}")
        if self.year_from is not None and self.year_to is not None and self.year_from > self.year_to:
            raise ConfigError(f"year_from={self.year_from} is after year_to={self.year_to}")
        if self.country is not None and not ISO3_RE.match(self.country):
            raise ConfigError(f"country={self.country!r}: expected an ISO 3166-1 alpha-3 code such as USA")
        for name in ("region", "field", "org"):
            value = getattr(self, name)
            if value is not None and not NAME_RE.match(value):
                raise ConfigError(f"{name}={value!r}: expected 1-120 letters, digits, spaces or .,&'()/+:-")
        if not isinstance(self.min_cell, int) or self.min_cell < 1:
            raise ConfigError(f"min_cell={self.min_cell!r}: expected a whole number >= 1")
        if not isinstance(self.n_boot, int) or not 0 <= self.n_boot <= 2000:
            raise ConfigError(f"n_boot={self.n_boot!r}: expected 0..2000")

    def replace(self, **changes) -> "Filters":
        return dataclasses.replace(self, **changes)

    @property
    def panel_arg(self) -> str | None:
        return None if self.panel == "all" else self.panel


class Busy(WarehouseError):
    """The server is at its bound of concurrent computations and none freed up in time (HTTP 503)."""


# Errors that are answers: the same request gets the same one, so they are memoized like results.
NEGATIVE = (ConfigError, InputError, MissingData)


class _Outcome:
    __slots__ = ("value", "error")

    def __init__(self, value=None, error: BaseException | None = None):
        self.value = value
        self.error = error

    def get(self):
        if self.error is not None:
            raise self.error
        return self.value


class _Flight:
    """One computation under way: others asking for the same key wait for it (single flight)."""

    __slots__ = ("done", "outcome")

    def __init__(self):
        self.done = threading.Event()
        self.outcome: _Outcome | None = None


class _NoLock:
    """``with reader.lock:`` of the query bodies: each thread has its own DuckDB cursor, so nothing
    has to be serialized any more (kept so callers written for the old global lock still work)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def acquire(self, *args, **kwargs) -> bool:
        return True

    def release(self) -> None:
        return None


class Reader:
    """A read-only warehouse shared by threads, and a memo of computed results (the warehouse does
    not change while it is open read only).

    Concurrency: ``reader.wh`` is, in each thread, a Warehouse over its own cursor of the one
    read-only DuckDB connection (``con.cursor()``), so requests run side by side. The memo computes
    each key once (a second asker waits for the first: single flight) and keeps errors that are
    answers (ConfigError, InputError, MissingData: an unknown organization) as well as results.
    At most ``max_compute`` uncached computations run at once (nested memo calls of one computation
    count once); one that cannot start within ``compute_wait`` seconds raises :class:`Busy`.
    Kinds of computation (a key's first item) seen to take under ``fast_seconds`` of CPU (moving
    average of the computing thread's CPU time) run in a lane of their own (another ``max_compute`` slots), so a drill-down's query does not queue behind
    bootstraps. Memo hits never wait."""

    def __init__(self, wh: Warehouse, *, memo_size: int = 4096, max_compute: int | None = None,
                 compute_wait: float = 30.0, fast_seconds: float = 0.05, bank_boot: int = 200):
        import os
        import weakref

        self._root = wh
        self.bank_boot = bank_boot  # replicates of the weight bank (requests asking more draw their own)
        self.lock = _NoLock()
        self._guard = threading.Lock()
        self._local = threading.local()
        self._views: "weakref.WeakSet[Warehouse]" = weakref.WeakSet()
        self._memo: dict = {}
        self._inflight: dict = {}
        self._memo_size = memo_size
        self.max_compute = max_compute or max(2, os.cpu_count() or 2)
        self.compute_wait = compute_wait
        self._slots = threading.BoundedSemaphore(self.max_compute)
        self._fast_slots = threading.BoundedSemaphore(self.max_compute)
        self.fast_seconds = fast_seconds
        self._cost: dict = {}  # kind of computation -> moving average of its seconds
        self.stats = {"hits": 0, "computed": 0, "errors_cached": 0, "busy": 0}
        self._closed = False

    @classmethod
    def open(cls, db: str | Path | None, **kwargs) -> "Reader":
        return cls(Warehouse(db, read_only=True), **kwargs)

    def __enter__(self) -> "Reader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def wh(self) -> Warehouse:
        """This thread's Warehouse: the root connection's cursor, made on first use in the thread."""
        view = getattr(self._local, "wh", None)
        if view is None:
            if self._closed:
                raise WarehouseError("the warehouse reader is closed")
            root = self._root
            view = Warehouse.__new__(Warehouse)
            view.schema, view.read_only, view.path = root.schema, root.read_only, root.path
            with self._guard:
                view.con = root.con.cursor()
                self._views.add(view)
            view.con.execute("SET enable_progress_bar = false").fetchall()
            self._local.wh = view
        return view

    def close(self) -> None:
        with self._guard:
            self._closed = True
            views = list(self._views)
        for view in views:
            try:
                view.con.close()
            except Exception:  # noqa: BLE001 - a cursor already gone with its thread
                pass
        self._root.close()

    def cached(self, key: tuple) -> bool:
        return key in self._memo

    def memo(self, key: tuple, compute: Callable[[], T]) -> T:
        """The result of ``compute`` for ``key``: computed once (a concurrent asker waits for it),
        kept with errors that are answers; raises Busy when no computation slot frees up in time."""
        hit = self._memo.get(key)
        if hit is not None:
            self.stats["hits"] += 1
            return hit.get()
        depth = getattr(self._local, "depth", 0)
        flight = self._inflight.get(key)
        if flight is not None:
            flight.done.wait()
            return flight.outcome.get()
        slot = None
        kind = key[0] if key else None
        if depth == 0:  # an outermost computation takes a slot; nested ones run in their caller's
            cost = self._cost.get(kind)
            slot = self._fast_slots if cost is not None and cost < self.fast_seconds else self._slots
            if not slot.acquire(timeout=self.compute_wait):
                self.stats["busy"] += 1
                raise Busy(f"the server is busy ({self.max_compute} computations running); retry shortly")
        started = time.thread_time()  # CPU of this thread: waits (slots, the GIL) do not make a kind look costly
        computed = False
        try:
            with self._guard:
                hit = self._memo.get(key)
                flight = None if hit is not None else self._inflight.get(key)
                owner = hit is None and flight is None
                if owner:
                    flight = self._inflight[key] = _Flight()
            if hit is not None:
                return hit.get()
            if not owner:
                flight.done.wait()
                return flight.outcome.get()
            self._local.depth = depth + 1
            computed = True
            try:
                bank = self.weight_bank(self.bank_boot) if depth == 0 and kind != "weight_bank" else None
                with use_bank(bank) if bank is not None else contextlib.nullcontext():
                    outcome = _Outcome(value=compute())
            except NEGATIVE as exc:
                outcome = _Outcome(error=exc)
            except BaseException:
                outcome = None
                raise
            finally:
                self._local.depth = depth
                with self._guard:
                    if outcome is not None:
                        if len(self._memo) >= self._memo_size:
                            self._memo.pop(next(iter(self._memo)))
                        self._memo[key] = outcome
                        self.stats["computed" if outcome.error is None else "errors_cached"] += 1
                    self._inflight.pop(key, None)
                flight.outcome = outcome or _Outcome(error=Busy("the computation failed; retry"))
                flight.done.set()
            return outcome.get()
        finally:
            if slot is not None:
                if computed:
                    took = time.thread_time() - started
                    cost = self._cost.get(kind)
                    self._cost[kind] = took if cost is None else 0.7 * cost + 0.3 * took
                slot.release()

    def query(self, sql: str, params: list | dict | None = None) -> pd.DataFrame:
        return self.wh.query(sql, params)

    # -- what every computation of a run shares: replicate weights, the rates cube, the mover index --

    def weight_bank(self, n_boot: int):
        """The Poisson replicate weights of every researcher in the warehouse, drawn once (memoized);
        computations of this reader look their weights up in it (``metrics.uncertainty.use_bank``)."""
        def compute():
            from talentflow.metrics.uncertainty import BootstrapParams, WeightBank

            ids = self.wh.query("SELECT DISTINCT researcher_id FROM researchers")["researcher_id"] \
                if self.wh.has_table("researchers") else []
            return WeightBank(ids, n_boot, BootstrapParams().seed)
        return self.memo(("weight_bank", n_boot), compute)

    def rate_cube(self, params_id: str, n_boot: int):
        """The run's rates cube (``metrics.rates.RateCube``): any panel and year range is a sum of its cells."""
        def compute():
            from talentflow.metrics import rates as rt
            from talentflow.metrics.common import Selection
            from talentflow.metrics.uncertainty import BootstrapParams

            return rt.rate_cube(self.wh, Selection(params_id), BootstrapParams(n_boot=n_boot))
        return self.memo(("rate_cube", params_id, n_boot), compute)

    def mover_index(self, params_id: str, n_boot: int):
        """The run's residence years and moves per researcher (``metrics.movers``)."""
        def compute():
            from talentflow.metrics.movers import mover_index
            from talentflow.metrics.uncertainty import BootstrapParams

            return mover_index(self.wh, params_id, BootstrapParams(n_boot=n_boot))
        return self.memo(("mover_index", params_id, n_boot), compute)


    def has(self, table: str) -> bool:
        return self.memo(("has", table), lambda: self.wh.has_table(table) and self.wh.count(table) > 0)

    def known_org(self, org: str) -> bool:
        """Whether ``org`` names an organization the way the organization queries match it
        (institution id, unit name or group name, or a group name/id that begins with it and a
        space; case-insensitive). A set lookup once the names are loaded (memoized)."""
        def compute() -> frozenset:
            from talentflow.metrics.common import organization_groups

            if not self.wh.has_table("institutions"):
                return frozenset()
            inst = self.wh.query("SELECT institution_id, name, type, country, parent_id FROM institutions")
            groups = organization_groups(inst)
            names: set[str] = set()
            for col in (inst["institution_id"], inst["name"], groups["group_name"], groups["group_id"]):
                names.update(str(v).strip().casefold() for v in col.dropna())
            for value in list(groups["group_name"].dropna()) + list(groups["group_id"].dropna()):
                text = str(value).casefold()
                names.update(text[:i] for i, ch in enumerate(text) if ch == " " and i)
            return frozenset(names)

        return org.strip().casefold() in self.memo(("known_orgs",), compute)

    @property
    def db_label(self) -> str:
        """The warehouse's file name (never its absolute path: answers and pages may be published)."""
        return Path(self._root.path).name if self._root.path else ":memory:"


# -- commands that produce each section's data --------------------------------------------------

def command(what: str, reader: Reader | None = None) -> str:
    db = f" --db {reader.db_label}" if reader is not None and reader.wh.path else ""
    return {
        "ingest": f"talentflow ingest paperlists{db}",
        "inference": f"talentflow infer{db}",
        "specialization": f"talentflow specialization{db}",
        "domain": f"talentflow tag{db} && talentflow specialization --by domain{db}",
        "scenario": f"talentflow scenario run scenarios/korea_visa_fast_track.toml --save{db}",
        "collab": f"talentflow collab --save{db}",
        "circulation": f"talentflow circulation --save{db}",
    }[what]


def _require(reader: Reader, table: str, what: str, cmd: str) -> None:
    if not reader.has(table):
        raise MissingData(what, command(cmd, reader))


def _selection(reader: Reader, f: Filters):
    from talentflow.metrics.common import select

    _require(reader, "inference_runs", "Migration flows and rates", "inference")
    with reader.lock:
        return select(reader.wh, None, f.panel_arg, f.year_from, f.year_to)


def _names(reader: Reader) -> dict[str, str]:
    return reader.memo(("country_names",), lambda: dict(reader.wh.execute("SELECT iso3, name FROM countries")))


def _regions(reader: Reader) -> dict[str, str]:
    return reader.memo(("country_regions",), lambda: dict(reader.wh.execute(
        "SELECT iso3, wb_region FROM countries WHERE wb_region IS NOT NULL")))


def records(frame: pd.DataFrame) -> list[dict]:
    """JSON-safe rows (NaN -> null, numpy scalars -> numbers, timestamps -> ISO text)."""
    return json.loads(frame.to_json(orient="records", date_format="iso", force_ascii=False))


def paginate(frame: pd.DataFrame, page: int, page_size: int) -> pd.DataFrame:
    start = (page - 1) * page_size
    return frame.iloc[start:start + page_size]


# -- overview ---------------------------------------------------------------------------------------

def overview(reader: Reader) -> dict:
    """What the warehouse holds: counts, years, which sections are available, filter options."""
    def compute() -> dict:
        counts = {t: reader.wh.count(t) for t in ("researchers", "works", "observations", "institutions")
                  if reader.wh.has_table(t)}
        years = reader.wh.execute("SELECT min(year), max(year) FROM observations")[0]
        located = reader.wh.execute("SELECT count(DISTINCT country) FROM observations WHERE country IS NOT NULL")[0][0]
        regions = [r[0] for r in reader.wh.execute(
            "SELECT DISTINCT wb_region FROM countries WHERE wb_region IS NOT NULL ORDER BY 1")]
        inference = None
        if reader.wh.has_table("inference_runs"):
            row = reader.wh.execute("SELECT params_id, run_at, n_researchers, n_events FROM inference_runs "
                                    "ORDER BY run_at DESC LIMIT 1")
            if row:
                inference = {"params_id": row[0][0], "run_at": str(row[0][1]), "researchers": int(row[0][2]),
                             "events": int(row[0][3])}
        return {
            "warehouse": reader.db_label,
            "counts": counts,
            "years": [years[0], years[1]],
            "countries_observed": int(located),
            "regions": regions,
            "levels": list(LEVELS),
            "panels": list(PANELS),
            "inference": inference,
            "available": {
                "inference": inference is not None,
                "specialization": reader.wh.has_table("specialization_cells")
                and reader.wh.count("specialization_cells") > 0,
                "scenarios": reader.wh.has_table("scenario_results") and reader.wh.count("scenario_results") > 0,
                "collaboration": reader.wh.has_table("collab_units") and reader.wh.count("collab_units") > 0,
                "circulation": reader.wh.has_table("circulation_estimates")
                and reader.wh.count("circulation_estimates") > 0,
            },
            "commands": {k: command(k, reader) for k in ("inference", "specialization", "scenario", "collab",
                                                         "circulation")},
        }

    with reader.lock:
        return reader.memo(("overview",), compute)


def fields(reader: Reader) -> pd.DataFrame:
    """Field ids and labels of the shipped taxonomy and the application domains (for filters)."""
    def compute() -> pd.DataFrame:
        from talentflow.tagging.params import DOMAINS
        from talentflow.taxonomy import load_taxonomy

        sub = load_taxonomy().fields_frame()[["field", "label"]].assign(field_kind="subfield")
        dom = pd.DataFrame({"field": list(DOMAINS), "label": [d.replace("_", " ") for d in DOMAINS],
                            "field_kind": "domain"})
        return pd.concat([sub, dom], ignore_index=True)

    return reader.memo(("fields",), compute)


# -- headline ---------------------------------------------------------------------------------------

def headline(reader: Reader, f: Filters) -> pd.DataFrame:
    """Headline figures with 95% intervals: researchers, international moves, share of researchers
    who moved, the largest net gainer and loser (net migration rate per 1,000 researchers)."""
    def compute() -> pd.DataFrame:
        from talentflow.metrics.movers import movers

        sel = _selection(reader, f)
        s = movers(reader.mover_index(sel.params_id, f.n_boot), sel.namespaces, sel.year_from, sel.year_to)
        rows = []
        n = s["researchers"]
        rows.append({"figure": "Researchers", "value": float(n), "lo": None, "hi": None, "unit": "researchers",
                     "definition": "Distinct researchers with at least one year of residence in the selection."})
        if n:
            total_small = small(float(s["total"]), f.min_cell)
            rows.append({"figure": "International moves", "value": None if total_small else float(s["total"]),
                         "lo": None if total_small else s.get("total_lo"),
                         "hi": None if total_small else s.get("total_hi"), "unit": "moves",
                         "definition": "Country moves (migration and return events) whose first year at the "
                                       "destination lies in the selection; interval: bootstrap over researchers."})
            movers_n = float(s["movers"])
            if small(movers_n, f.min_cell) or small(n - movers_n, f.min_cell):
                rows.append({"figure": "Researchers who moved abroad", "value": None, "lo": None, "hi": None,
                             "unit": "% of researchers", "definition": "suppressed (fewer than min_cell movers)"})
            else:
                rows.append({"figure": "Researchers who moved abroad", "value": float(s["share"]),
                             "lo": s.get("share_lo"), "hi": s.get("share_hi"), "unit": "% of researchers",
                             "definition": "Share of the selection's researchers with at least one country move."})
            risk, movers_risk = float(s["researchers_at_risk"]), float(s["movers_at_risk"])
            if small(risk, f.min_cell) or small(movers_risk, f.min_cell) or small(risk - movers_risk, f.min_cell) \
                    or small(n - risk, f.min_cell):
                rows.append({"figure": "Researchers seen in 2+ years who moved abroad", "value": None, "lo": None,
                             "hi": None, "unit": "% of researchers", "definition": "suppressed (a count under min_cell)"})
            else:
                rows.append({"figure": "Researchers seen in 2+ years who moved abroad", "value": float(s["share_at_risk"]),
                             "lo": s.get("share_at_risk_lo"), "hi": s.get("share_at_risk_hi"),
                             "unit": "% of researchers",
                             "definition": f"The same share among the {risk:,.0f} researchers observed in at least two "
                                           "years of the record (the population at risk: one observed year cannot "
                                           "show a move)."})
        ranked = net_rates(reader, f.replace(country=None, region=None))
        big = ranked[(ranked["population"] >= 100) & ranked["net_rate"].notna()]
        picks = []
        if len(big) and big["net_rate"].iloc[0] > 0:
            picks.append(("Largest net gain", big.iloc[0]))
        if len(big) and big["net_rate"].iloc[-1] < 0:
            picks.append(("Largest net loss", big.iloc[-1]))
        if picks:
            for label, row in picks:
                lo, hi = row.get("net_rate_lo"), row.get("net_rate_hi")
                unsettled = lo is None or hi is None or pd.isna(lo) or pd.isna(hi) or lo <= 0 <= hi
                rows.append({"figure": f"{label}: {row['name']}" + (" (direction not settled)" if unsettled else ""),
                             "value": float(row["net_rate"]),
                             "lo": row.get("net_rate_lo"), "hi": row.get("net_rate_hi"),
                             "unit": "per 1,000 researchers",
                             "definition": "Net migration rate (inflows - outflows) per 1,000 resident researchers "
                                           "(person-years), among countries with >= 100 person-years."})
        out = pd.DataFrame(rows)
        for col in ("value", "lo", "hi"):
            out[col] = pd.to_numeric(out[col], errors="coerce")
        return out

    return reader.memo(("headline", f.replace(country=None, region=None, org=None, field=None)), compute)


def panel_summary(reader: Reader, f: Filters) -> dict:
    """What the panel behind the migration figures is: identities in the warehouse and which of them
    enter careers, the venues of each identity namespace, where the moves come from, and how many
    researchers are seen in a single year (who cannot be seen to move)."""
    def compute() -> dict:
        sel = _selection(reader, f)
        ids = reader.query("SELECT namespace, count(*) AS n FROM researchers GROUP BY ALL ORDER BY n DESC")
        run = reader.query("SELECT params FROM meta_runs WHERE params_id = ?", [sel.params_id])
        identity = json.loads(run["params"].iloc[0]).get("identity", "stable_id") if len(run) else "stable_id"
        panel = reader.query(f"""
            WITH pop AS (SELECT researcher_id, count(DISTINCT year) FILTER (WHERE status = 'observed') AS years
                         FROM residence WHERE params_id = $pid AND {sel.researcher_filter()}
                               AND {sel.year_filter('year')} GROUP BY ALL),
                 mv AS (SELECT researcher_id, count(*) AS moves FROM events
                        WHERE params_id = $pid AND kind = 'country' AND event_type IN ('migration', 'return')
                              AND {sel.researcher_filter()} AND {sel.year_filter('year_to')} GROUP BY ALL)
            SELECT r.namespace, count(*) AS researchers, count(*) FILTER (WHERE pop.years <= 1) AS one_year,
                   coalesce(sum(mv.moves), 0) AS moves
            FROM pop JOIN researchers r USING (researcher_id) LEFT JOIN mv USING (researcher_id)
            GROUP BY ALL ORDER BY researchers DESC""", {"pid": sel.params_id})
        venues = reader.query(f"""
            SELECT r.namespace, split_part(o.file, '/', 1) AS venue, min(o.year) AS first_year,
                   max(o.year) AS last_year, count(DISTINCT o.researcher_id) AS researchers
            FROM observations o JOIN researchers r USING (researcher_id)
            WHERE {sel.researcher_filter('o.researcher_id')} AND {sel.year_filter('o.year')}
            GROUP BY ALL ORDER BY r.namespace, researchers DESC""")
        return {"identities": ids, "identity_rule": identity, "panel": panel, "venues": venues}

    return reader.memo(("panel_summary", f.year_from, f.year_to, f.panel), compute)


def panel_table(reader: Reader, f: Filters) -> pd.DataFrame:
    """The panel by identity namespace, published: researchers, seen in one year only, moves and
    the share of all moves (counts of 1..min_cell-1 blanked, with their shares)."""
    from talentflow.metrics.suppression import protect_residual, suppress

    ps = panel_summary(reader, f)
    out = ps["panel"].copy()
    total = float(out["moves"].sum())
    out["share_of_moves"] = out["moves"] / total if total else np.nan
    # the total of moves is published (headline): the blanked namespaces must not sum to 1..min_cell-1
    out = out.assign(_moves_raw=out["moves"], _all="all")
    out = suppress(out, {"researchers": ["one_year", "moves", "share_of_moves"], "one_year": [],
                         "moves": ["share_of_moves"]}, f.min_cell)
    out = protect_residual(out.reset_index(drop=True), "_all", "moves", ["share_of_moves"], f.min_cell)
    out["identity_rule"] = ps["identity_rule"]
    return out.drop(columns="_all").reset_index(drop=True)


# -- flows ------------------------------------------------------------------------------------------

def _flows_base(reader: Reader, f: Filters, period: int) -> pd.DataFrame:
    def compute() -> pd.DataFrame:
        from talentflow.metrics import flows as fl

        sel = _selection(reader, f)
        with reader.lock:
            out = fl.flows(reader.wh, sel, fl.FlowParams(level=f.level, period=period, min_cell=f.min_cell))
        return out

    key = ("flows", f.level, f.year_from, f.year_to, f.panel, f.min_cell, period)
    return reader.memo(key, compute)


def flows(reader: Reader, f: Filters, *, period: int = 0) -> pd.DataFrame:
    """Origin -> destination flows at ``f.level`` (count = moves; period 0 = the whole range, 1 = yearly).

    Country filter: flows in or out of the country (country/region level) or of organizations
    seated there (org level: not applied); region: flows in or out of the World Bank region;
    org: flows in or out of the organization (org level). Flows of fewer than min_cell moves are
    left out.
    """
    out = _flows_base(reader, f, period).copy()
    if f.level == "country":
        names = _names(reader)
        regions = _regions(reader)
        if f.country:
            out = out[(out["origin"] == f.country) | (out["destination"] == f.country)]
        if f.region:
            out = out[out["origin"].map(regions).eq(f.region) | out["destination"].map(regions).eq(f.region)]
        out.insert(1, "origin_name", out["origin"].map(names).fillna(out["origin"]))
        out.insert(3, "destination_name", out["destination"].map(names).fillna(out["destination"]))
    elif f.level == "region":
        region = f.region or (_regions(reader).get(f.country) if f.country else None)
        if region:
            out = out[(out["origin"] == region) | (out["destination"] == region)]
    elif f.level == "hub" and f.country:
        # hubs outside the hub list are labelled "other ISO3"; hub countries come from the institutions table
        hubs = reader.memo(("hub_countries",), lambda: dict(reader.wh.execute(
            "SELECT hub, mode(country) FROM institutions WHERE hub IS NOT NULL GROUP BY hub")))

        def in_country(h: str) -> bool:
            return hubs.get(h) == f.country or h == f"other {f.country}"

        if not out.empty:  # on an empty frame map() gives object columns that `|` refuses
            out = out[out["origin"].map(in_country).astype(bool) | out["destination"].map(in_country).astype(bool)]
    elif f.level == "org" and f.org:
        want = f.org.casefold()
        out = out[(out["origin"].str.casefold() == want) | (out["destination"].str.casefold() == want)]
    sort = ["count", "origin", "destination"]
    return out.sort_values(sort, ascending=[False, True, True]).reset_index(drop=True)


def flow_reconciliation(reader: Reader, f: Filters) -> dict:
    """Why organization flows do not add up to country flows: country moves that are also an
    institution move between the same two countries, those that are not (no institution move of
    that researcher at all, or one between other countries or years), and cross-border institution
    moves that are not country moves (the country change did not persist: a visit, a dual
    affiliation)."""
    def compute() -> dict:
        sel = _selection(reader, f)
        where = f"params_id = $pid AND {sel.researcher_filter()} AND {sel.year_filter('year_to')}"
        row = reader.query(f"""
            WITH cm AS (SELECT researcher_id, origin, destination, year_to FROM events
                        WHERE kind = 'country' AND event_type IN ('migration', 'return') AND {where}),
                 im AS (SELECT researcher_id, origin_country, destination_country, year_to FROM events
                        WHERE kind = 'institution' AND {where})
            SELECT (SELECT count(*) FROM cm) AS country_moves,
                   (SELECT count(*) FROM cm WHERE EXISTS (SELECT 1 FROM im WHERE im.researcher_id = cm.researcher_id
                        AND im.origin_country = cm.origin AND im.destination_country = cm.destination))
                        AS also_institution_moves,
                   (SELECT count(*) FROM cm WHERE NOT EXISTS (SELECT 1 FROM im WHERE im.researcher_id = cm.researcher_id))
                        AS without_any_institution_move,
                   (SELECT count(*) FROM im WHERE origin_country <> destination_country) AS cross_border_institution_moves,
                   (SELECT count(*) FROM im WHERE origin_country <> destination_country AND NOT EXISTS (
                        SELECT 1 FROM cm WHERE cm.researcher_id = im.researcher_id AND cm.origin = im.origin_country
                        AND cm.destination = im.destination_country)) AS institution_only,
                   (SELECT count(*) FROM im) AS institution_moves""", {"pid": sel.params_id})
        out = {k: int(v) for k, v in row.iloc[0].items()}
        out["other_institution_moves"] = out["country_moves"] - out["also_institution_moves"] \
            - out["without_any_institution_move"]
        return out

    return reader.memo(("flow_reconciliation", f.year_from, f.year_to, f.panel), compute)


def reconciliation_text(rec: dict, min_cell: int) -> str:
    """Why organization flows do not add up to country flows, with the counts of this selection."""
    if any(small(v, min_cell) for v in rec.values()):
        return ("Organization flows count institution moves and country flows count country moves; in this "
                f"selection some of the counts that reconcile them are under {min_cell} and are not shown.")
    return (f"Country flows and organization flows count different events. Of the {_int(rec['country_moves'], 0)} "
            f"country moves, {_int(rec['also_institution_moves'], 0)} are also an institution move between the same "
            f"two countries; {_int(rec['without_any_institution_move'], 0)} have no institution move at all (an "
            "affiliation without a resolved institution on one side, or one organization in both countries) and "
            f"{_int(rec['other_institution_moves'], 0)} only institution moves between other countries or years. "
            f"Conversely, {_int(rec['institution_only'], 0)} of the "
            f"{_int(rec['cross_border_institution_moves'], 0)} cross-border institution moves are not country moves "
            "(the country change did not persist: a visit or a dual affiliation). Organization flows also fold "
            "subsidiaries into their group, drop moves within one group and include domestic moves.")


def _int(v, _digits=0) -> str:
    return f"{int(v):,}"


def top_pairs(reader: Reader, f: Filters, n: int = 20) -> pd.DataFrame:
    """The ``n`` largest origin -> destination flows over the whole selection, with the reverse
    flow and the net flow of the pair."""
    from talentflow.metrics.suppression import suppress

    out = flows(reader, f, period=0)
    if out.empty:
        return out
    # the reverse flow from the unsuppressed counts: a missing pair is a true zero, a small one is
    # blanked, and so is the net (count - net would give it back)
    raw = flows(reader, f.replace(min_cell=1), period=0)
    rev = raw.set_index(["origin", "destination"])["count"]
    out = out.head(n).copy()
    out["reverse_count"] = [float(rev.get((d, o), 0)) for o, d in zip(out["origin"], out["destination"])]
    out["net"] = out["count"] - out["reverse_count"]
    out = suppress(out, {"reverse_count": ["net"]}, f.min_cell).rename(columns={"suppressed": "reverse_suppressed"})
    return out.reset_index(drop=True)


# -- rates ------------------------------------------------------------------------------------------

def net_rates(reader: Reader, f: Filters) -> pd.DataFrame:
    """Per country over the selection: population (person-years), inflows, outflows, net, net rate
    per 1,000 researchers with its 95% interval, MEI, turnover; sorted by net rate (gain first)."""
    def compute() -> pd.DataFrame:
        from talentflow.metrics import rates as rt
        from talentflow.metrics.uncertainty import BootstrapParams

        sel = _selection(reader, f)
        out = rt.cube_rates(reader.rate_cube(sel.params_id, f.n_boot), sel.namespaces, sel.year_from, sel.year_to,
                            period=0, min_cell=f.min_cell)
        if out.empty:
            return pd.DataFrame(columns=["country", "name", "region", "status", "population", "inflows", "outflows",
                                         "net", "net_rate", "net_rate_lo", "net_rate_hi"])
        out = out.drop(columns=[c for c in ("period",) if c in out.columns])
        out.insert(1, "name", out["country"].map(_names(reader)).fillna(out["country"]))
        out.insert(2, "region", out["country"].map(_regions(reader)))
        out = out[out["population"].notna()]
        out = out.drop(columns="suppressed")
        order = out["status"].map({rt.ESTIMATED: 0, rt.NO_MOVES: 1, rt.CENSORED: 1, rt.SUPPRESSED: 2})
        return out.assign(_o=order).sort_values(["_o", "net_rate", "population"], ascending=[True, False, False],
                                                na_position="last").drop(columns="_o").reset_index(drop=True)

    base = reader.memo(("net_rates", f.year_from, f.year_to, f.panel, f.min_cell, f.n_boot), compute)
    out = base
    if f.country:
        out = out[out["country"] == f.country]
    if f.region:
        out = out[out["region"] == f.region]
    return out.reset_index(drop=True)


def rates_by_year(reader: Reader, f: Filters, country: str) -> pd.DataFrame:
    """One country's yearly rates (per 1,000 researchers) with 95% intervals."""
    if not ISO3_RE.match(country):
        raise ConfigError(f"country={country!r}: expected an ISO3 code such as USA")

    def compute() -> pd.DataFrame:
        from talentflow.metrics import rates as rt
        from talentflow.metrics.uncertainty import BootstrapParams

        sel = _selection(reader, f)
        out = rt.cube_rates(reader.rate_cube(sel.params_id, f.n_boot), sel.namespaces, sel.year_from, sel.year_to,
                            period=1, countries=(country,), min_cell=f.min_cell)
        return out.drop(columns=[c for c in ("suppressed",) if c in out.columns]).reset_index(drop=True)

    return reader.memo(("rates_by_year", country, f.year_from, f.year_to, f.panel, f.min_cell, f.n_boot), compute)


# -- organizations --------------------------------------------------------------------------------

def foreign_share(reader: Reader, f: Filters, top: int = 20) -> pd.DataFrame:
    """Foreign-origin share of the largest organization units (a group in one country, column
    ``country``; origin = first observed country; foreign = origin differs from the unit's country),
    with 95% intervals."""
    def compute() -> pd.DataFrame:
        from talentflow.metrics import composition as comp
        from talentflow.metrics.uncertainty import BootstrapParams

        sel = _selection(reader, f)
        with reader.lock:
            out = comp.foreign_share(reader.wh, sel, (f.org,) if f.org else None, top=top,
                                     params=comp.CompositionParams(min_cell=f.min_cell),
                                     boot=BootstrapParams(n_boot=f.n_boot),
                                     groups=reader.memo(("org_groups",), lambda: comp.org_groups(reader.wh)),
                                     first=reader.memo(("first_countries", sel.params_id),
                                                       lambda: comp.first_countries(reader.wh, sel.params_id)))
        if out.empty:
            return out
        if "organization" not in out.columns and "org" in out.columns:
            out = out.rename(columns={"org": "organization"})
        out = out[out["researchers"].notna()]
        return out.drop(columns=["suppressed"], errors="ignore").reset_index(drop=True)

    out = reader.memo(("foreign_share", f.org, top, f.year_from, f.year_to, f.panel, f.min_cell, f.n_boot), compute)
    if f.country and not out.empty:
        out = out[out["country"] == f.country]  # the organization's unit in that country
    return out.reset_index(drop=True)


def country_organizations(reader: Reader, f: Filters, country: str, limit: int = 50) -> pd.DataFrame:
    """Organizations observed in a country: distinct researchers and weighted authorships in the
    selected years (organizations behind fewer than min_cell researchers are left out)."""
    if not ISO3_RE.match(country):
        raise ConfigError(f"country={country!r}: expected an ISO3 code such as USA")
    lo = f.year_from if f.year_from is not None else YEAR_MIN
    hi = f.year_to if f.year_to is not None else YEAR_MAX

    def compute() -> pd.DataFrame:
        return reader.query("""
            SELECT i.institution_id, i.name, i.type, coalesce(i.hub, '') AS hub,
                   count(DISTINCT o.researcher_id) AS researchers, round(sum(o.weight), 1) AS weighted_authorships,
                   min(o.year) AS first_year, max(o.year) AS last_year
            FROM observations o JOIN institutions i USING (institution_id)
            WHERE o.country = ? AND o.year BETWEEN ? AND ?
            GROUP BY ALL HAVING count(DISTINCT o.researcher_id) >= ?
            ORDER BY researchers DESC, i.name LIMIT ?""", [country, lo, hi, f.min_cell, limit])

    return reader.memo(("country_orgs", country, lo, hi, f.min_cell, limit), compute)


def country_detail(reader: Reader, f: Filters, country: str) -> dict:
    """Drill-down: a country's summary, net rate, its organizations and its largest flows in and out."""
    if not ISO3_RE.match(country):
        raise ConfigError(f"country={country!r}: expected an ISO3 code such as USA")
    names = _names(reader)
    if country not in names:
        raise ConfigError(f"country={country!r}: not an ISO 3166-1 alpha-3 code known to the warehouse")
    summary = {"country": country, "name": names[country], "region": _regions(reader).get(country)}
    out: dict = {"summary": summary, "organizations": country_organizations(reader, f, country)}
    try:
        rate = net_rates(reader, f.replace(country=country, region=None))
        out["rates"] = rate
        fl = flows(reader, f.replace(level="country", country=country, region=None), period=0)
        out["inflows"] = fl[fl["destination"] == country].reset_index(drop=True)
        out["outflows"] = fl[fl["origin"] == country].reset_index(drop=True)
        out["missing"] = None
    except MissingData as exc:
        out["missing"] = exc
    return out


# -- study -> work pipeline ------------------------------------------------------------------------

def pipeline(reader: Reader, f: Filters) -> pd.DataFrame:
    """Study country -> first-job country: researchers and the share of the study country's graduates."""
    def compute() -> pd.DataFrame:
        from talentflow.metrics import pipeline as pl

        sel = _selection(reader, f)
        with reader.lock:
            out = pl.pipeline(reader.wh, sel, None, min_cell=f.min_cell)
        out = out[out["researchers"].notna()].drop(columns=["suppressed"], errors="ignore")
        names = _names(reader)
        out.insert(1, "study_name", out["study_country"].map(names).fillna(out["study_country"]))
        out.insert(3, "work_name", out["work_country"].map(names).fillna(out["work_country"]))
        return out.sort_values("researchers", ascending=False).reset_index(drop=True)

    out = reader.memo(("pipeline", f.year_from, f.year_to, f.panel, f.min_cell), compute)
    if f.country:
        out = out[(out["study_country"] == f.country) | (out["work_country"] == f.country)]
    return out.reset_index(drop=True)


def stay_rates(reader: Reader, f: Filters) -> pd.DataFrame:
    """Per study country: graduates with a known first job, stay rate with 95% interval."""
    def compute() -> pd.DataFrame:
        from talentflow.metrics import pipeline as pl
        from talentflow.metrics.uncertainty import BootstrapParams

        sel = _selection(reader, f)
        with reader.lock:
            out = pl.stay_rates(reader.wh, sel, None, boot=BootstrapParams(n_boot=f.n_boot), min_cell=f.min_cell)
        if out.empty:
            return out
        out = out[out["graduates"].notna()].drop(columns=["suppressed"], errors="ignore")
        out.insert(1, "name", out["study_country"].map(_names(reader)).fillna(out["study_country"]))
        return out.reset_index(drop=True)

    out = reader.memo(("stay", f.year_from, f.year_to, f.panel, f.min_cell, f.n_boot), compute)
    if f.country and not out.empty:
        out = out[out["study_country"] == f.country]
    return out.reset_index(drop=True)


# -- specialization ---------------------------------------------------------------------------------

def _latest_params(reader: Reader, table: str, where: str, args: list) -> str | None:
    rows = reader.query(f"""
        SELECT t.params_id FROM (SELECT DISTINCT params_id FROM {table} WHERE {where}) t
        JOIN meta_runs m USING (params_id) ORDER BY m.created_at DESC, t.params_id LIMIT 1""", args)
    return None if rows.empty else str(rows["params_id"].iloc[0])


def specialization(reader: Reader, f: Filters) -> pd.DataFrame:
    """Stored specialization cells (latest run for the level and field kind): region x field RCA with
    interval, for the whole range where stored (period 'all'), else the latest period."""
    spec_level = f.level
    cmd = "domain" if f.field_kind == "domain" else "specialization"
    _require(reader, "specialization_cells", "Specialization", cmd)

    def compute() -> pd.DataFrame:
        pid = _latest_params(reader, "specialization_cells", "level = ? AND field_kind = ?",
                             [spec_level, f.field_kind])
        if pid is None:
            return pd.DataFrame()
        periods = reader.query("SELECT DISTINCT period FROM specialization_cells WHERE params_id = ? "
                               "AND level = ? AND field_kind = ? ORDER BY period", [pid, spec_level, f.field_kind])
        labels = periods["period"].tolist()
        period = "all" if "all" in labels else labels[-1]
        out = reader.query("""
            SELECT params_id, level, field_kind, period, region, field, count, region_total, share, rca, rca_lo,
                   rca_hi, presence, density, n_researchers, suppressed
            FROM specialization_cells WHERE params_id = ? AND level = ? AND field_kind = ? AND period = ?
            ORDER BY region, field""", [pid, spec_level, f.field_kind, period])
        # Published output: the one small-cell rule on the researchers behind each cell (and the
        # stored run's own, stricter or not); presence is a figure too
        tiny = small(out["n_researchers"], f.min_cell) | out["suppressed"].astype(bool)
        out.loc[tiny, ["count", "region_total", "share", "rca", "rca_lo", "rca_hi", "density"]] = np.nan
        out["suppressed"] = tiny
        out["presence"] = out["presence"].astype("boolean").mask(tiny)
        out["n_researchers"] = out["n_researchers"].astype(float).where(~tiny, np.nan)
        run = json.loads(reader.query("SELECT params FROM meta_runs WHERE params_id = ?", [pid])["params"].iloc[0])
        out["small_base"] = (out["count"] < float(run.get("min_rank_count", 10.0))).where(~tiny, None)
        out["interval_level"] = float(run.get("ci", 0.9))
        if spec_level == "country":
            out.insert(5, "region_name", out["region"].map(_names(reader)).fillna(out["region"]))
        elif spec_level == "org":
            inst = reader.memo(("inst_names",), lambda: dict(reader.wh.execute(
                "SELECT institution_id, name FROM institutions")))
            out.insert(5, "region_name", out["region"].map(inst).fillna(out["region"]))
        else:
            out.insert(5, "region_name", out["region"])
        labels_ = fields(reader).set_index("field")["label"].to_dict()
        out.insert(7, "field_label", out["field"].map(labels_).fillna(out["field"]))
        return out

    out = reader.memo(("spec", spec_level, f.field_kind, f.min_cell), compute)
    if out.empty:
        raise MissingData(f"Specialization at level {spec_level} by {f.field_kind}",
                          command(cmd, reader) + (f" --level {spec_level}" if spec_level != "country" else ""))
    if f.field:
        out = out[(out["field"] == f.field) | (out["field_label"] == f.field)]
    if f.country and spec_level == "country":
        out = out[out["region"] == f.country]
    if f.region and spec_level == "country":
        regions = _regions(reader)
        out = out[out["region"].map(regions) == f.region]
    elif f.region and spec_level == "region":
        out = out[out["region"] == f.region]
    return out.reset_index(drop=True)


def specialization_matrix(reader: Reader, f: Filters, top: int = 25) -> pd.DataFrame:
    """RCA as a region x field matrix of the ``top`` regions by output (suppressed cells blank)."""
    cells = specialization(reader, f)
    if cells.empty:
        return pd.DataFrame()
    size = cells.groupby("region_name")["region_total"].max().sort_values(ascending=False)
    keep = size.dropna().head(top).index
    m = cells[cells["region_name"].isin(keep)].pivot_table(index="region_name", columns="field_label",
                                                            values="rca", aggfunc="first", dropna=False)
    return m.reindex(keep)


def specialization_profile(reader: Reader, f: Filters, region: str) -> pd.DataFrame:
    """One region's fields sorted by RCA, with the interval and the researchers behind each cell."""
    if not NAME_RE.match(region):
        raise ConfigError(f"region={region!r}: expected a region key or name")
    cells = specialization(reader, f.replace(country=None, region=None, field=None))
    want = region.casefold()
    hit = cells[(cells["region"].astype(str).str.casefold() == want)
                | (cells["region_name"].astype(str).str.casefold() == want)]
    return hit.assign(_b=hit["small_base"].fillna(True).astype(bool)).sort_values(
        ["_b", "rca"], ascending=[True, False], na_position="last").drop(columns="_b").reset_index(drop=True)


# -- scenarios --------------------------------------------------------------------------------------

def scenarios(reader: Reader, f: Filters) -> pd.DataFrame:
    """Stored scenario projections (latest run of each scenario): baseline and counterfactual medians
    with bands, by country, year and variable."""
    _require(reader, "scenario_results", "Scenarios", "scenario")

    def compute() -> pd.DataFrame:
        out = reader.query("""
            WITH latest AS (
                SELECT s.scenario, arg_max(s.params_id, m.created_at) AS params_id
                FROM (SELECT DISTINCT scenario, params_id FROM scenario_results) s JOIN meta_runs m USING (params_id)
                GROUP BY s.scenario)
            SELECT r.* FROM scenario_results r JOIN latest USING (scenario, params_id)
            ORDER BY r.scenario, r.variable, r.country, r.year""")
        out.insert(3, "name", out["country"].map(_names(reader)).fillna(out["country"]))
        return out

    out = reader.memo(("scenarios",), compute)
    if f.country:
        out = out[out["country"] == f.country]
    if f.year_from is not None:
        out = out[out["year"] >= f.year_from]
    if f.year_to is not None:
        out = out[out["year"] <= f.year_to]
    return out.reset_index(drop=True)


SCENARIO_BASES = {
    "scholarly-migration": "base: the Scholarly Migration Database's bilateral flows from Scopus, all fields of "
                           "science (not AI alone), 1998-2018; later years are projected without the policy. An "
                           "illustration with stated assumptions, not a forecast.",
}


def scenario_bases(reader: Reader) -> dict[str, str]:
    """Per stored scenario run (params_id): what its flows rest on, in words, from the recorded parameters."""
    def compute() -> dict[str, str]:
        out = {}
        rows = reader.query("SELECT params_id, params FROM meta_runs WHERE kind = 'scenario'")
        for pid, params in zip(rows["params_id"], rows["params"]):
            source = json.loads(params).get("source", {})
            name = source.get("source", "") if isinstance(source, dict) else str(source)
            version = source.get("version", "") if isinstance(source, dict) else ""
            text = SCENARIO_BASES.get(name, f"base: flows from {name or 'an unrecorded source'}.")
            out[str(pid)] = text + (f" Source version {version[:12]}." if version else "")
        return out

    return reader.memo(("scenario_bases",), compute)


# -- collaboration ----------------------------------------------------------------------------------

def _collab(reader: Reader, table: str, f: Filters) -> pd.DataFrame:
    _require(reader, table, "Collaboration network", "collab")

    def compute() -> pd.DataFrame:
        pid = _latest_params(reader, table, "level = ?", [f.level])
        if pid is None:
            return pd.DataFrame()
        return reader.query(f"SELECT * FROM {table} WHERE params_id = ? AND level = ? ORDER BY period_start",
                            [pid, f.level])

    out = reader.memo(("collab", table, f.level), compute)
    if out.empty:
        raise MissingData(f"Collaboration network at level {f.level}",
                          command("collab", reader) + (f" --level {f.level}" if f.level != "country" else ""))
    # the one small-cell rule at read time too: a stored run may have kept smaller rows (the yearly
    # pairs are stored unsuppressed for the gravity covariates), and a request may raise min_cell
    out = out[~small(out["papers_full"], f.min_cell)]
    if f.year_from is not None:  # periods overlapping the selected years
        out = out[out["period_end"] >= f.year_from]
    if f.year_to is not None:
        out = out[out["period_start"] <= f.year_to]
    return out


def collab_units(reader: Reader, f: Filters) -> pd.DataFrame:
    """Units of the co-authorship network (stored by ``talentflow collab --save``): papers, external
    share, degree, centrality and community, per period (latest period first)."""
    out = _collab(reader, "collab_units", f)
    if f.country and f.level == "country":
        out = out[out["unit"] == f.country]
    return out.sort_values(["period_start", "papers_full"], ascending=[False, False]).reset_index(drop=True)


def collab_pairs(reader: Reader, f: Filters) -> pd.DataFrame:
    """Pairs of the co-authorship network: co-authored papers and normalized strength, per period."""
    out = _collab(reader, "collab_pairs", f)
    if f.country and f.level == "country":
        out = out[(out["unit_a"] == f.country) | (out["unit_b"] == f.country)]
    return out.sort_values(["period_start", "papers_full"], ascending=[False, False]).reset_index(drop=True)


def circulation(reader: Reader, f: Filters) -> pd.DataFrame:
    """Brain-circulation estimates (stored by ``talentflow circulation --save``), latest run."""
    _require(reader, "circulation_estimates", "Brain circulation", "circulation")

    def compute() -> pd.DataFrame:
        pid = _latest_params(reader, "circulation_estimates", "TRUE", [])
        out = reader.query("SELECT * FROM circulation_estimates WHERE params_id = ? ORDER BY scope, key, measure",
                           [pid])
        tiny = small(out["n_movers"], f.min_cell)
        out.loc[tiny, ["estimate", "ci_low", "ci_high", "n_movers"]] = np.nan
        return out

    return reader.memo(("circulation", f.min_cell), compute)


# -- methods and provenance -------------------------------------------------------------------------

def provenance(reader: Reader) -> pd.DataFrame:
    """Data provenance: per source and upstream version, files, records, observations, rejects."""
    return reader.memo(("provenance",), lambda: reader.query("""
        SELECT source, coalesce(version, '') AS version, count(DISTINCT file) AS files,
               sum(n_records) AS records, sum(n_observations) AS observations, sum(n_rejects) AS rejects,
               min(ingested_at) AS first_ingest, max(ingested_at) AS last_ingest,
               -- a public address is shown; a local file's path is not (it names the user's machine)
               any_value(CASE WHEN upstream LIKE 'http%' THEN regexp_replace(upstream, '/[^/]*$', '')
                              ELSE 'local file' END) AS upstream_example
        FROM ingest_runs WHERE status <> 'replaced' GROUP BY ALL ORDER BY source"""))


def provenance_venues(reader: Reader) -> pd.DataFrame:
    """Per source and venue folder: files, years covered, records."""
    return reader.memo(("provenance_venues",), lambda: reader.query("""
        SELECT source, split_part(file, '/', 1) AS venue, count(DISTINCT file) AS files,
               sum(n_records) AS records, sum(n_observations) AS observations
        FROM ingest_runs WHERE status <> 'replaced' GROUP BY ALL ORDER BY records DESC"""))


def coverage(reader: Reader) -> pd.DataFrame:
    """Per venue: the years it covers, the years missing inside that range, works, its smallest year,
    and which author identities it carries (what a figure can and cannot show)."""
    def compute() -> pd.DataFrame:
        per = reader.query("""
            SELECT w.venue, w.year, count(*) AS works FROM works w GROUP BY ALL ORDER BY w.venue, w.year""")
        ids = reader.query("""
            SELECT w.venue, r.namespace, count(*) AS n FROM authorships a JOIN works w USING (work_id)
            JOIN researchers r USING (researcher_id) GROUP BY ALL""") if reader.wh.has_table("authorships") else None
        rows = []
        for venue, g in per.groupby("venue", sort=True):
            years = sorted(int(y) for y in g["year"])
            missing = sorted(set(range(years[0], years[-1] + 1)) - set(years))
            small_row = g.sort_values("works").iloc[0]
            ns = ""
            if ids is not None:
                v = ids[ids["venue"] == venue].sort_values("n", ascending=False)
                ns = ", ".join(v["namespace"].astype(str).head(2))
            rows.append({"venue": str(venue).upper(), "years": f"{years[0]}-{years[-1]}" if len(years) > 1
                         else str(years[0]), "missing_years": _year_ranges(missing), "works": int(g["works"].sum()),
                         "smallest_year": f"{int(small_row['year'])} ({int(small_row['works'])} works)",
                         "identity": ns})
        return pd.DataFrame(rows, columns=["venue", "years", "missing_years", "works", "smallest_year", "identity"]) \
            .sort_values("works", ascending=False).reset_index(drop=True)

    return reader.memo(("coverage",), compute)


def _year_ranges(years: list[int]) -> str:
    """[2001, 2002, 2003, 2007] -> '2001-2003, 2007'."""
    out: list[str] = []
    for y in years:
        if out and int(out[-1].split("-")[-1]) == y - 1:
            out[-1] = f"{out[-1].split('-')[0]}-{y}"
        else:
            out.append(str(y))
    return ", ".join(out)


def gold_scores(reader: Reader) -> pd.DataFrame:
    """Stored scores of the latest inference run against the hand-labelled gold sets (measure, value,
    interval, n), if `talentflow gold score` has stored any."""
    if not reader.wh.has_table("gold_scores"):
        return pd.DataFrame(columns=["gold", "split", "measure", "value", "lo", "hi", "n"])
    # careers: the latest inference run's scores; places: the latest scored resolver (kind 'places')
    return reader.memo(("gold_scores",), lambda: reader.query("""
        SELECT gold, split, measure, value, lo, hi, n FROM gold_scores
        WHERE split = 'test' AND (
              params_id = (SELECT params_id FROM inference_runs ORDER BY run_at DESC LIMIT 1)
              OR params_id = (SELECT g.params_id FROM gold_scores g JOIN meta_runs m USING (params_id)
                              WHERE m.kind = 'places' ORDER BY g.scored_at DESC LIMIT 1)
              OR params_id = (SELECT g.params_id FROM gold_scores g JOIN meta_runs m USING (params_id)
                              WHERE m.kind = 'persons' ORDER BY g.scored_at DESC LIMIT 1))
        ORDER BY gold, measure"""))


def provenance_stamp(reader: Reader, kind: str) -> dict:
    """What an exported figure rests on: the params_id of the latest run of ``kind`` (meta_runs) and
    the source versions ingested (``source@version`` joined by ';')."""
    def compute() -> dict:
        from talentflow.store.params import source_versions

        pid = reader.query("SELECT params_id FROM meta_runs WHERE kind = ? ORDER BY created_at DESC LIMIT 1", [kind])
        with reader.lock:
            versions = source_versions(reader.wh)
        return {"params_id": None if pid.empty else str(pid["params_id"].iloc[0]), "source_versions": versions}

    return reader.memo(("stamp", kind), compute)


def parameters(reader: Reader) -> pd.DataFrame:
    """Every recorded parameter set (meta_runs): kind, parameters JSON, when, talentflow version."""
    return reader.memo(("parameters",), lambda: reader.query("""
        SELECT params_id, kind, params, created_at, talentflow_version FROM meta_runs ORDER BY created_at"""))


def inference_runs(reader: Reader) -> pd.DataFrame:
    if not reader.wh.has_table("inference_runs"):
        return pd.DataFrame()
    return reader.memo(("inference_runs",), lambda: reader.query(
        "SELECT * FROM inference_runs ORDER BY run_at DESC"))


def rejects(reader: Reader) -> pd.DataFrame:
    """Rejected records and fields by source, reason and severity (counts only)."""
    return reader.memo(("rejects",), lambda: reader.query(
        "SELECT source, reason, severity, count(*) AS n FROM rejects GROUP BY ALL ORDER BY n DESC"))


# -- validation -------------------------------------------------------------------------------------

def validation(reader: Reader, f: Filters, published: str | Path | None = None) -> pd.DataFrame:
    """Published figures (Stanford AI Index, MacroPolo, CSET, BCG...) beside talentflow's closest
    comparable figure, with the difference in definitions. Never used to fit anything."""
    from talentflow.app import validation as val

    table = val.read_published(published)
    return reader.memo(("validation", str(published), f.year_from, f.year_to, f.panel, f.min_cell, f.n_boot),
                       lambda: val.compare(table, val.Comparables(reader, f)))


def smd_direction(reader: Reader, f: Filters) -> pd.DataFrame:
    """Net migration direction by country beside the Scholarly Migration Database (Scopus, all fields)."""
    from talentflow.app import validation as val

    return reader.memo(("smd_direction", f.year_from, f.year_to, f.panel, f.min_cell, f.n_boot),
                       lambda: val.smd_direction(reader, f))
