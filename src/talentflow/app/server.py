"""`talentflow serve`: the versioned JSON API (``/api/v1/...``, OpenAPI at ``/api/v1/openapi.json``)
and the interactive dashboard (``/``), in one FastAPI application over a read-only warehouse.

Every input is validated before it reaches a query (Literal choices, ranges, regular
expressions); queries take user values as SQL parameters only (see ``talentflow.app.queries``).
Responses are aggregates with small cells suppressed (``min_cell``, which a request may raise
but not lower). A section whose data is not computed yet answers 200 with ``missing`` naming
the command that produces it.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import threading
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, Literal, Optional

import pandas as pd
from fastapi import Depends, FastAPI, HTTPException, Path as PathParam, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel, Field

from talentflow import __version__
from talentflow.app import queries as q
from talentflow.errors import ConfigError, InputError

STATIC = Path(__file__).resolve().parent / "static"
API = "/api/v1"
DOCS_ASSETS = "/docs-assets"  # Swagger UI's script, stylesheet and icon, served from the fastapi-offline package
ISO3_PATTERN = r"^[A-Z]{3}$"
# Names of regions, fields, organizations, as the API validates them and as its schema states them.
# Explicit classes, not \w: in Python \w is Unicode, in the schema's dialect (ECMA-262) ASCII only.
# Letters: ASCII, Latin (Latin-1, Extended A/B, Additional), Greek, Cyrillic, CJK, kana, Hangul;
# all of them are letters to Python too, so whatever passes here passes queries.NAME_RE.
NAME_LETTERS = ("A-Za-z0-9_\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F\u1E00-\u1EFF\u0391-\u03A1\u03A3-\u03CE"
                "\u0400-\u0481\u048A-\u052F\u3041-\u3096\u30A1-\u30FA\u4E00-\u9FFF\uAC00-\uD7A3")
NAME_PATTERN = "^[" + NAME_LETTERS + " .,&'()/+:-]{1,120}$"


class Missing(BaseModel):
    what: str = Field(description="What is not computed yet.")
    command: str = Field(description="The command that produces it.")


class PageOut(BaseModel):
    """A page of rows of one aggregate table."""

    data: list[dict[str, Any]] = Field(description="Rows (aggregates only; suppressed cells are null).")
    columns: list[str] = Field(description="Column names, in order.")
    total: int = Field(description="Rows in the whole result (all pages).")
    page: int
    page_size: int
    filters: dict[str, Any] = Field(description="The filters applied, after validation.")
    missing: Optional[Missing] = Field(None, description="Set when the data is not in the warehouse yet.")
    notice: Optional[str] = None
    provenance: Optional[dict[str, Any]] = Field(None, description=(
        "What the rows rest on: params_id (meta_runs) of the run they come from and source_versions "
        "(source@version of every ingested source). CSV downloads carry the same two columns on every row."))


class ObjectOut(BaseModel):
    data: dict[str, Any]
    missing: Optional[Missing] = None


class ErrorOut(BaseModel):
    detail: str = Field(description="What went wrong, in words.")


class Problem(BaseModel):
    parameter: str = Field(description="The parameter (or 'request').")
    message: str
    input: str = Field(description="The value given (at most 200 characters).")


class ValidationErrorOut(BaseModel):
    detail: list[Problem] = Field(description="One entry per parameter that failed validation.")


ERRORS = {400: {"model": ErrorOut, "description": "A parameter value the warehouse cannot use."},
          404: {"model": ErrorOut, "description": "No such country, region or organization."},
          422: {"model": ValidationErrorOut, "description": "A parameter failed validation."}}
# answers any API path can give (documented on every operation by _contract)
COMMON_ERRORS = {"414": "The request line is too long.", "421": "The Host header names a host this server does not "
                 "answer to (DNS rebinding protection; see `talentflow serve --allow-host`).",
                 "503": "Busy: every computation slot is taken; retry after Retry-After seconds."}


# -- request parameters ------------------------------------------------------------------------------

LevelQ = Annotated[Literal["country", "region", "hub", "org"], Query(
    description="Flows and networks at country (ISO3), World Bank region, AI hub or organization level.")]
YearQ = Annotated[Optional[int], Query(ge=q.YEAR_MIN, le=q.YEAR_MAX, description="Inclusive year.")]
CountryQ = Annotated[Optional[str], Query(pattern=ISO3_PATTERN, description="ISO 3166-1 alpha-3 code, e.g. USA.")]
RegionQ = Annotated[Optional[str], Query(pattern=NAME_PATTERN, max_length=120,
                                         description="World Bank region, e.g. 'Europe & Central Asia'.")]
FieldQ = Annotated[Optional[str], Query(pattern=NAME_PATTERN, max_length=120,
                                        description="Subfield id or label, or application domain (specialization).")]
FieldKindQ = Annotated[Literal["subfield", "domain"], Query(description="Fields are taxonomy subfields or domains.")]
OrgQ = Annotated[Optional[str], Query(pattern=NAME_PATTERN, max_length=120,
                                      description="Organization name or id, e.g. Google (case-insensitive).")]
PanelQ = Annotated[q.Panel, Query(
    description="Researchers of these identity namespaces only.")]
MinCellQ = Annotated[Optional[int], Query(ge=1, le=10_000, description=(
    "Suppress counts of 1..min_cell-1 researchers; may raise, not lower, the server's threshold."))]
PageQ = Annotated[int, Query(ge=1, le=100_000, description="1-based page number.")]
PageSizeQ = Annotated[int, Query(ge=1, le=1000, description="Rows per page.")]
FormatQ = Annotated[Literal["json", "csv"], Query(description="json (a page) or csv (every row, as a download).")]


def _filters(request: Request, level: LevelQ = "country", year_from: YearQ = None, year_to: YearQ = None,
             country: CountryQ = None, region: RegionQ = None, field: FieldQ = None,
             field_kind: FieldKindQ = "subfield", org: OrgQ = None, panel: PanelQ = "all",
             min_cell: MinCellQ = None) -> q.Filters:
    floor = request.app.state.min_cell
    if min_cell is not None and min_cell < floor:
        raise HTTPException(422, detail=[{"parameter": "min_cell", "input": str(min_cell), "message": (
            f"min_cell={min_cell}: this server suppresses cells under {floor} researchers; a request may raise "
            "the threshold, not lower it")}])
    try:
        return q.Filters(level=level, year_from=year_from, year_to=year_to, country=country, region=region,
                         field=field, field_kind=field_kind, org=org, panel=panel,
                         min_cell=min_cell or floor, n_boot=request.app.state.n_boot)
    except ConfigError as exc:
        raise HTTPException(400, detail=str(exc)) from None


FiltersDep = Annotated[q.Filters, Depends(_filters)]


def _reader(request: Request) -> q.Reader:
    return request.app.state.reader


def _filters_dict(f: q.Filters) -> dict:
    out = {k: v for k, v in f.__dict__.items() if v is not None}
    out.pop("n_boot", None)
    return out


# The kind of run (meta_runs.kind) each table's rows come from, by the table's name (its first word).
RUN_KINDS = {"headline": "inference", "flows": "inference", "top": "inference", "net": "inference",
             "rates": "inference", "organizations": "inference", "pipeline": "inference", "stay": "inference",
             "validation": "inference", "panel": "inference", "specialization": "specialization",
             "profile": "specialization", "scenarios": "scenario", "collab": "collab", "circulation": "circulation"}


def _stamp(request: Request, name: str) -> dict:
    kind = RUN_KINDS.get(name.split("_")[0])
    stamp = q.provenance_stamp(_reader(request), kind or "")
    return stamp if kind else {"params_id": None, "source_versions": stamp["source_versions"]}


def _page(frame: pd.DataFrame, f: q.Filters, page: int, page_size: int, fmt: str, name: str,
          notice: str | None = None, stamp: dict | None = None):
    if fmt == "csv":
        buf = io.StringIO()
        frame.assign(**(stamp or {})).to_csv(buf, index=False)
        return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    rows = q.records(q.paginate(frame, page, page_size))
    return PageOut(data=rows, columns=[str(c) for c in frame.columns], total=len(frame), page=page,
                   page_size=page_size, filters=_filters_dict(f), notice=notice, provenance=stamp)


def _missing(exc: q.MissingData, f: q.Filters, page: int, page_size: int, fmt: str, name: str):
    if fmt == "csv":
        return Response(f"# {exc}\n", media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    return PageOut(data=[], columns=[], total=0, page=page, page_size=page_size, filters=_filters_dict(f),
                   missing=Missing(what=exc.what, command=exc.command))


def _table(request: Request, f: q.Filters, compute, name: str, page: int, page_size: int, fmt: str,
           notice: str | None = None):
    try:
        frame = compute(_reader(request), f)
    except q.MissingData as exc:
        return _missing(exc, f, page, page_size, fmt, name)
    except (ConfigError, InputError) as exc:
        raise HTTPException(400, detail=str(exc)) from None
    return _page(frame, f, page, page_size, fmt, name, notice=notice, stamp=_stamp(request, name))


# -- the application ---------------------------------------------------------------------------------

def create_app(db: str | Path | None, *, min_cell: int = 10, n_boot: int = 200, published: str | None = None,
               cache: bool = True, warm: bool = False, host: str = "127.0.0.1",
               allowed_hosts: tuple[str, ...] | list[str] = ()) -> FastAPI:
    """The API and dashboard over warehouse ``db`` (opened read only for the app's lifetime).
    ``cache``: keep each 200 answer (and each 4xx) of /api/v1 and serve it again (see talentflow.app.cache).
    ``warm``: compute the dashboard's default views of every panel in a background thread at start-up.
    ``host``: the address the server is bound to; with localhost, 127.0.0.1 and [::1] the Host
    names accepted (DNS rebinding); ``allowed_hosts`` adds more ("*" accepts any)."""
    if min_cell < 1:
        raise ConfigError(f"min_cell={min_cell}: expected >= 1")
    reader = q.Reader.open(db, bank_boot=n_boot)
    running = {"lifespans": 0, "warmer": None}
    stop = threading.Event()

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        # a test client may run the lifespan again around one request (schemathesis over ASGI):
        # the reader closes when the last one ends, the warm-up starts once
        running["lifespans"] += 1
        if warm and running["warmer"] is None:
            running["warmer"] = threading.Thread(target=_warm, args=(_app, stop), name="talentflow-warm", daemon=True)
            running["warmer"].start()
        try:
            yield
        finally:
            running["lifespans"] -= 1
            if running["lifespans"] == 0:
                stop.set()
                if running["warmer"] is not None:
                    running["warmer"].join(timeout=30)
                reader.close()

    # the docs page (/api/v1/docs) loads Swagger UI from this server, not from a CDN: it works offline
    app = FastAPIOffline(title="talentflow API", version=__version__, lifespan=lifespan,
                         description="Aggregates of AI talent migration and regional AI specialization from a "
                                     "talentflow warehouse (read only). Counts of fewer than min_cell researchers "
                                     "are suppressed.",
                         openapi_url=f"{API}/openapi.json", docs_url=f"{API}/docs", redoc_url=None,
                         static_url=DOCS_ASSETS)
    app.state.reader = reader
    app.state.min_cell = min_cell
    app.state.n_boot = n_boot
    app.state.published = published

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        problems = [{"parameter": ".".join(str(x) for x in e.get("loc", ())[1:]) or "request",
                     "message": e.get("msg", "invalid"), "input": str(e.get("input"))[:200]} for e in exc.errors()]
        return JSONResponse({"detail": problems}, status_code=422)

    @app.exception_handler(q.Busy)
    async def _busy(request: Request, exc: q.Busy):
        return JSONResponse({"detail": str(exc)}, status_code=503, headers={"Retry-After": "2"})

    _routes(app)
    _pages(app)
    _contract(app)
    if cache:
        from talentflow.app.cache import ResponseCache

        app.add_middleware(ResponseCache)
    app.add_middleware(Guard, hosts=accepted_hosts(host, allowed_hosts))
    app.state.warm_status = {"done": 0, "total": 0, "finished": not warm}
    return app


# -- the OpenAPI contract ------------------------------------------------------------------------------

def _contract(app: FastAPI) -> None:
    """The OpenAPI document states what the server does: min_cell's minimum is this server's floor,
    CSV downloads are declared (text/csv beside application/json), every 422 has the body the
    validation handler sends, and the answers any path can give (414, 421, 503) are listed."""
    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        from fastapi.openapi.utils import get_openapi

        doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        contract(doc, app.state.min_cell)
        app.openapi_schema = doc
        return doc

    app.openapi = openapi  # type: ignore[method-assign]


def contract(doc: dict, floor: int) -> dict:
    """Fix up a generated OpenAPI document in place (see _contract)."""
    components = doc.setdefault("components", {}).setdefault("schemas", {})
    for name, model in (("ErrorOut", ErrorOut), ("ValidationErrorOut", ValidationErrorOut)):
        if name not in components:
            schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(schema.pop("$defs", {}))
            components[name] = schema
    for path, item in doc.get("paths", {}).items():
        for op in item.values():
            params = op.get("parameters", [])
            for p in params:
                if p.get("name") == "min_cell":
                    for sub in [p["schema"], *p["schema"].get("anyOf", [])]:
                        if sub.get("type") == "integer":
                            sub["minimum"] = floor
                    p["description"] = (p.get("description", "") + f" This server's floor: {floor}.").strip()
            responses = op.setdefault("responses", {})
            if any(p.get("name") == "format" for p in params) and "200" in responses:
                responses["200"].setdefault("content", {})["text/csv"] = {"schema": {
                    "type": "string", "description": "With format=csv: every row, as a download (UTF-8, a header "
                                                     "line; provenance columns on every row)."}}
            if "422" in responses:
                responses["422"] = {"description": "A parameter failed validation.", "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/ValidationErrorOut"}}}}
            if path.startswith(API):
                for status, text in COMMON_ERRORS.items():
                    responses.setdefault(status, {"description": text, "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}})
    text = json.dumps(doc)
    for unused in ("HTTPValidationError", "ValidationError"):
        if unused in components and f"#/components/schemas/{unused}" not in text:
            del components[unused]
    return doc


# -- bounds, warm-up, hardening ------------------------------------------------------------------------

MAX_QUERY_BYTES = 2048  # the longest filter set is a few hundred bytes
MAX_PATH_BYTES = 512
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
# The dashboard: scripts and styles from this server only (plotly sets inline styles, hence
# 'unsafe-inline' for styles; the one inline handler, onsubmit="return false", is allowed by its hash).
ONSUBMIT_HASH = "'sha256-" + base64.b64encode(hashlib.sha256(b"return false").digest()).decode() + "'"
CSP_DASHBOARD = ("default-src 'self'; script-src 'self' 'unsafe-hashes' " + ONSUBMIT_HASH + "; "
                 "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
                 "connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; "
                 "form-action 'self'; frame-ancestors 'none'")
# The API docs page: Swagger UI, started by an inline script of FastAPI's page; its assets come from
# this server (fastapi-offline, under DOCS_ASSETS): nothing from elsewhere.
CSP_DOCS = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
CSP_API = "default-src 'none'; frame-ancestors 'none'"


def accepted_hosts(host: str, extra=()) -> frozenset[str]:
    """Host names (without port) the server answers: the loopback names, the bound host, ``extra``."""
    names = {*LOCAL_HOSTS, host.strip().strip("[]").lower(), *(h.strip().strip("[]").lower() for h in extra)}
    names.discard("")
    names.discard("0.0.0.0")
    names.discard("::")
    return frozenset(names)


def _host_name(value: str) -> str:
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class Guard:
    """Outermost ASGI middleware: refuses Host headers the server does not answer to (DNS
    rebinding: 421), bounds the size of a request line (414), and adds security headers
    (X-Content-Type-Options, Referrer-Policy, a Content-Security-Policy) to every answer."""

    def __init__(self, app, *, hosts: frozenset[str]):
        self.app = app
        self.any_host = "*" in hosts
        self.hosts = hosts

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        host = next((v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"host"), "")
        if not self.any_host and _host_name(host) not in self.hosts:
            await self._plain(send, 421, f"host {host[:100]!r} is not served here (allowed: "
                                         f"{', '.join(sorted(self.hosts))}; see --allow-host)", path)
            return
        if len(scope.get("query_string", b"")) > MAX_QUERY_BYTES or len(scope.get("raw_path") or path) > MAX_PATH_BYTES:
            await self._plain(send, 414, f"request too long (query <= {MAX_QUERY_BYTES} bytes, "
                                         f"path <= {MAX_PATH_BYTES})", path)
            return
        extra = self._headers(path)
        started = [False]

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                started[0] = True
                message = dict(message)
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:  # noqa: BLE001 - a bug: answer 500 here, the log has the traceback
            # (re-raised, the server would close the keep-alive connection and the client's next
            # request on it would fail too; the body names no internals)
            logging.getLogger("talentflow.app").exception("unhandled error answering %s", path)
            if not started[0]:
                await self._plain(send, 500, "internal error (the server log has the details)", path)

    @staticmethod
    def _headers(path: str) -> list[tuple[bytes, bytes]]:
        if path.startswith(f"{API}/docs") or path.startswith(DOCS_ASSETS):
            csp = CSP_DOCS
        elif path.startswith(API):
            csp = CSP_API
        else:
            csp = CSP_DASHBOARD
        return [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
                (b"x-frame-options", b"DENY"), (b"content-security-policy", csp.encode())]

    async def _plain(self, send, status: int, text: str, path: str) -> None:
        body = json.dumps({"detail": text}).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                *self._headers(path)]})
        await send({"type": "http.response.body", "body": body})


def warm_jobs(app: FastAPI) -> list[tuple[str, Any]]:
    """What the dashboard asks first, for every panel: the headline, rates, flows at each level,
    organizations, pipeline and stay rates (with the default years), and the filter options."""
    r, floor, n_boot = app.state.reader, app.state.min_cell, app.state.n_boot
    jobs: list[tuple[str, Any]] = [("meta", lambda: (q.overview(r), q.fields(r)))]
    for panel in q.PANELS:
        f = q.Filters(panel=panel, min_cell=floor, n_boot=n_boot)
        jobs += [(f"headline {panel}", lambda f=f: q.headline(r, f)),
                 (f"rates {panel}", lambda f=f: q.net_rates(r, f))]
        jobs += [(f"flows {level} {panel}", lambda f=f, level=level: q.flows(r, f.replace(level=level)))
                 for level in q.LEVELS]
        jobs += [(f"organizations {panel}", lambda f=f: q.foreign_share(r, f, 20)),
                 (f"pipeline {panel}", lambda f=f: q.pipeline(r, f)),
                 (f"stay {panel}", lambda f=f: q.stay_rates(r, f))]
    f = q.Filters(min_cell=floor, n_boot=n_boot)
    jobs += [("collaboration", lambda: q.collab_pairs(r, f)), ("specialization", lambda: q.specialization(r, f))]
    return jobs


def _warm(app: FastAPI, stop: threading.Event) -> None:
    """Compute the warm-up jobs one after the other (each takes one computation slot, as a request
    would); errors are answers like any other (missing sections, empty panels) and are skipped."""
    status = app.state.warm_status
    jobs = warm_jobs(app)
    status["total"] = len(jobs)
    for _name, job in jobs:
        if stop.is_set():
            break
        try:
            job()
        except Exception:  # noqa: BLE001 - a section not computed, a closed reader at shutdown
            pass
        status["done"] += 1
    status["finished"] = True


def _routes(app: FastAPI) -> None:
    @app.get(f"{API}/health", tags=["meta"], summary="Liveness")
    def health(request: Request) -> JSONResponse:
        warm = request.app.state.warm_status
        return JSONResponse({"status": "ok", "version": __version__,
                             "warm": "done" if warm["finished"] else f"{warm['done']}/{warm['total']}"},
                            headers={"Cache-Control": "no-store"})

    @app.get(f"{API}/meta", tags=["meta"], response_model=ObjectOut, summary="What the warehouse holds",
             description="Counts, years, available sections (with the commands that produce missing ones), "
                         "filter options (levels, panels, regions, fields).")
    def meta(request: Request):
        r = _reader(request)
        out = dict(q.overview(r))
        out["fields"] = q.records(q.fields(r))
        out["min_cell"] = request.app.state.min_cell
        return ObjectOut(data=out)

    @app.get(f"{API}/headline", tags=["migration"], response_model=PageOut, responses=ERRORS,
             summary="Headline figures with 95% intervals")
    def headline(request: Request, f: FiltersDep, format: FormatQ = "json"):
        return _table(request, f, q.headline, "headline", 1, 1000, format)

    @app.get(f"{API}/flows", tags=["migration"], response_model=PageOut, responses=ERRORS,
             summary="Origin -> destination flows",
             description="Moves (count) from origin to destination at the chosen level. period=0: over the whole "
                         "selection; period=1: by year (first year at the destination). Filters: country or region "
                         "(flows in or out), org (organization level). Flows under min_cell moves are left out.")
    def flows(request: Request, f: FiltersDep, period: Annotated[int, Query(
              ge=0, le=1, description="0: whole range; 1: yearly.")] = 0, page: PageQ = 1, page_size: PageSizeQ = 100,
              format: FormatQ = "json"):
        notice = None
        if f.level in ("org", "hub"):
            try:
                notice = q.reconciliation_text(q.flow_reconciliation(_reader(request), f), f.min_cell)
            except q.MissingData:
                pass
        return _table(request, f, lambda r, ff: q.flows(r, ff, period=period), f"flows_{f.level}", page, page_size,
                      format, notice=notice)

    @app.get(f"{API}/flows/top", tags=["migration"], response_model=PageOut, responses=ERRORS,
             summary="Largest flows, with the reverse and net flow")
    def top(request: Request, f: FiltersDep, n: Annotated[int, Query(ge=1, le=200)] = 20, format: FormatQ = "json"):
        return _table(request, f, lambda r, ff: q.top_pairs(r, ff, n), f"top_flows_{f.level}", 1, 1000, format)

    @app.get(f"{API}/rates", tags=["migration"], response_model=PageOut, responses=ERRORS,
             summary="Net migration rates by country, with 95% intervals",
             description="Per 1,000 resident researchers (person-years, padded population), over the selected "
                         "years; sorted by net rate, largest gain first.")
    def rates(request: Request, f: FiltersDep, page: PageQ = 1, page_size: PageSizeQ = 100, format: FormatQ = "json"):
        return _table(request, f, q.net_rates, "net_rates", page, page_size, format)

    @app.get(f"{API}/rates/{{iso3}}/years", tags=["migration"], response_model=PageOut, responses=ERRORS,
             summary="One country's yearly rates with intervals")
    def rates_years(request: Request, f: FiltersDep,
                    iso3: Annotated[str, PathParam(pattern=ISO3_PATTERN, description="ISO3 code, e.g. USA")],
                    format: FormatQ = "json"):
        return _table(request, f, lambda r, ff: q.rates_by_year(r, ff, iso3), f"rates_{iso3}", 1, 1000, format)

    @app.get(f"{API}/countries/{{iso3}}", tags=["drill-down"], response_model=ObjectOut, responses=ERRORS,
             summary="A country: summary, net rate, organizations, flows in and out")
    def country(request: Request, f: FiltersDep,
                iso3: Annotated[str, PathParam(pattern=ISO3_PATTERN, description="ISO3 code, e.g. USA")]):
        r = _reader(request)
        try:
            d = q.country_detail(r, f, iso3)
        except ConfigError as exc:
            raise HTTPException(404, detail=str(exc)) from None
        out: dict[str, Any] = {"summary": d["summary"], "organizations": q.records(d["organizations"])}
        missing = None
        if d["missing"] is not None:
            missing = Missing(what=d["missing"].what, command=d["missing"].command)
        else:
            out["rates"] = q.records(d["rates"])
            out["inflows"] = q.records(d["inflows"])
            out["outflows"] = q.records(d["outflows"])
        return ObjectOut(data=out, missing=missing)

    @app.get(f"{API}/countries/{{iso3}}/organizations", tags=["drill-down"], response_model=PageOut,
             responses=ERRORS, summary="Organizations observed in a country")
    def country_orgs(request: Request, f: FiltersDep,
                     iso3: Annotated[str, PathParam(pattern=ISO3_PATTERN, description="ISO3 code, e.g. USA")],
                     page: PageQ = 1, page_size: PageSizeQ = 100, format: FormatQ = "json"):
        return _table(request, f, lambda r, ff: q.country_organizations(r, ff, iso3, limit=1000),
                      f"organizations_{iso3}", page, page_size, format)

    @app.get(f"{API}/organizations", tags=["organizations"], response_model=PageOut, responses=ERRORS,
             summary="Foreign-origin share of the largest organizations, with intervals")
    def organizations(request: Request, f: FiltersDep, top: Annotated[int, Query(ge=1, le=100)] = 20,
                      page: PageQ = 1, page_size: PageSizeQ = 100, format: FormatQ = "json"):
        if f.org and not _reader(request).known_org(f.org):
            # an unknown name (404, as documented) without the seconds of bootstrap setup foreign_share takes
            raise HTTPException(404, detail=f"no organization {f.org!r} in this warehouse "
                                            "(names as in `talentflow table institutions`, e.g. google, meta)")
        return _table(request, f, lambda r, ff: q.foreign_share(r, ff, top), "organizations", page, page_size, format)

    @app.get(f"{API}/pipeline", tags=["pipeline"], response_model=PageOut, responses=ERRORS,
             summary="Study country -> first-job country")
    def pipeline(request: Request, f: FiltersDep, page: PageQ = 1, page_size: PageSizeQ = 100,
                 format: FormatQ = "json"):
        return _table(request, f, q.pipeline, "pipeline", page, page_size, format)

    @app.get(f"{API}/pipeline/stay", tags=["pipeline"], response_model=PageOut, responses=ERRORS,
             summary="Stay rates of study countries, with intervals")
    def stay(request: Request, f: FiltersDep, page: PageQ = 1, page_size: PageSizeQ = 100, format: FormatQ = "json"):
        return _table(request, f, q.stay_rates, "stay_rates", page, page_size, format)

    @app.get(f"{API}/specialization", tags=["specialization"], response_model=PageOut, responses=ERRORS,
             summary="RCA of regions in fields (stored specialization cells)")
    def specialization(request: Request, f: FiltersDep, page: PageQ = 1, page_size: PageSizeQ = 100,
                       format: FormatQ = "json"):
        return _table(request, f, q.specialization, "specialization", page, page_size, format)

    @app.get(f"{API}/specialization/profile/{{unit}}", tags=["specialization"], response_model=PageOut,
             responses=ERRORS, summary="One region's specialization profile")
    def profile(request: Request, f: FiltersDep,
                unit: Annotated[str, PathParam(pattern=NAME_PATTERN, max_length=120, description="Region key or name, e.g. JPN or Japan")], format: FormatQ = "json"):
        return _table(request, f, lambda r, ff: q.specialization_profile(r, ff, unit), "profile", 1, 1000, format)

    @app.get(f"{API}/scenarios", tags=["scenarios"], response_model=PageOut, responses=ERRORS,
             summary="Scenario projections (baseline and counterfactual with bands)")
    def scenarios(request: Request, f: FiltersDep, page: PageQ = 1, page_size: PageSizeQ = 100,
                  format: FormatQ = "json"):
        return _table(request, f, q.scenarios, "scenarios", page, page_size, format)

    @app.get(f"{API}/collaboration/units", tags=["collaboration"], response_model=PageOut, responses=ERRORS,
             summary="Co-authorship network: units")
    def collab_units(request: Request, f: FiltersDep, page: PageQ = 1, page_size: PageSizeQ = 100,
                     format: FormatQ = "json"):
        return _table(request, f, q.collab_units, "collab_units", page, page_size, format)

    @app.get(f"{API}/collaboration/pairs", tags=["collaboration"], response_model=PageOut, responses=ERRORS,
             summary="Co-authorship network: pairs")
    def collab_pairs(request: Request, f: FiltersDep, page: PageQ = 1, page_size: PageSizeQ = 100,
                     format: FormatQ = "json"):
        return _table(request, f, q.collab_pairs, "collab_pairs", page, page_size, format)

    @app.get(f"{API}/circulation", tags=["collaboration"], response_model=PageOut, responses=ERRORS,
             summary="Brain-circulation estimates")
    def circulation(request: Request, f: FiltersDep, page: PageQ = 1, page_size: PageSizeQ = 100,
                    format: FormatQ = "json"):
        return _table(request, f, q.circulation, "circulation", page, page_size, format)

    @app.get(f"{API}/validation", tags=["methods"], response_model=PageOut, responses=ERRORS,
             summary="Published figures beside talentflow's comparables")
    def validation(request: Request, f: FiltersDep, page: PageQ = 1, page_size: PageSizeQ = 100,
                   format: FormatQ = "json"):
        published = request.app.state.published
        return _table(request, f, lambda r, ff: q.validation(r, ff, published), "validation", page, page_size, format)

    @app.get(f"{API}/validation/smd", tags=["methods"], response_model=PageOut, responses=ERRORS,
             summary="Net migration direction beside the Scholarly Migration Database",
             description="Per country over the years both cover: talentflow's net rate with its interval and the "
                         "SMD's (Scopus, all fields of science). direction: agree / disagree only when talentflow's "
                         "interval excludes zero; not settled; no evidence (no move, < 100 person-years, suppressed).")
    def validation_smd(request: Request, f: FiltersDep, page: PageQ = 1, page_size: PageSizeQ = 100,
                       format: FormatQ = "json"):
        return _table(request, f, q.smd_direction, "validation_smd", page, page_size, format)

    @app.get(f"{API}/panel", tags=["migration"], response_model=PageOut, responses=ERRORS,
             summary="What the panel is: researchers, single-year researchers and moves by identity namespace")
    def panel(request: Request, f: FiltersDep, format: FormatQ = "json"):
        return _table(request, f, q.panel_table, "panel", 1, 1000, format)

    @app.get(f"{API}/provenance", tags=["methods"], response_model=PageOut, summary="Data provenance (ingest runs)")
    def provenance(request: Request, format: FormatQ = "json"):
        f = q.Filters(min_cell=request.app.state.min_cell)
        return _page(q.provenance(_reader(request)), f, 1, 1000, format, "provenance")

    @app.get(f"{API}/parameters", tags=["methods"], response_model=PageOut, summary="Recorded parameter sets")
    def parameters(request: Request, format: FormatQ = "json"):
        f = q.Filters(min_cell=request.app.state.min_cell)
        return _page(q.parameters(_reader(request)), f, 1, 1000, format, "parameters")


def _pages(app: FastAPI) -> None:
    from talentflow.assets import plotly_js_path, world_topojson

    geo_js = "window.PlotlyGeoAssets = {topojson: {world_110m: " + world_topojson() + "}};\n"
    cache = {"Cache-Control": "public, max-age=86400"}

    @app.get("/", include_in_schema=False)
    def index() -> HTMLResponse:
        return HTMLResponse((STATIC / "index.html").read_text(encoding="utf-8"))

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly() -> FileResponse:
        return FileResponse(plotly_js_path(), media_type="text/javascript", headers=cache)

    @app.get("/static/geo-assets.js", include_in_schema=False)
    def geo() -> Response:
        return Response(geo_js, media_type="text/javascript", headers=cache)

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: Annotated[str, PathParam(pattern=r"^[a-z_]+\.(js|css)$")]) -> FileResponse:
        path = STATIC / name
        if not path.is_file():
            raise HTTPException(404, detail=f"no static file {name}")
        media = "text/javascript" if name.endswith(".js") else "text/css"
        return FileResponse(path, media_type=media)


def serve(db: str | Path | None, *, host: str = "127.0.0.1", port: int = 8000, min_cell: int = 10, n_boot: int = 200,
          published: str | None = None, log_level: str = "warning", allowed_hosts: tuple[str, ...] = (),
          warm: bool = True) -> None:
    """Run the API and dashboard with uvicorn until interrupted (the dashboard's default views are
    computed in the background from the start)."""
    import uvicorn

    app = create_app(db, min_cell=min_cell, n_boot=n_boot, published=published, warm=warm, host=host,
                     allowed_hosts=allowed_hosts)
    uvicorn.run(app, host=host, port=port, log_level=log_level)
