"""Gold sets: talentflow's error rates measured on hand-labelled real records (``gold/``).

``score_gold`` (careers: moves, movers, residence years of an inference run), ``score_places``
(country and city of place resolution, beside the upstream country) and ``score_persons`` (B³ of
the warehouse's person identities). Each can store its overall scores in ``gold_scores``, which
the report's headline and Methods print. The pure scoring lives in ``talentflow.validation``
(``gold``, ``places``, ``persons``); see docs/gold.md.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from pathlib import Path

import pandas as pd

from talentflow.errors import ConfigError
from talentflow.fetch import mirror_dir
from talentflow.metrics.common import select
from talentflow.resolve.institutions import default_resolver
from talentflow.schema.gold import GOLD_SCORES
from talentflow.store.params import record_params
from talentflow.store.warehouse import DB, Warehouse, opened
from talentflow.validation import places as pl
from talentflow.validation.gold import GoldParams, load_gold, score, scored_persons
from talentflow.validation.persons import b_cubed, load_persons_gold


def score_gold(db: DB, gold: str | Path | None = None, *, split: str = "test", tolerance: int = 1,
               n_boot: int = 500, params_id: str | None = None, save: bool = True) -> pd.DataFrame:
    """Score an inference run (default: the latest) against a hand-labelled gold set of real careers
    (``gold``: its folder; default the repository's ``gold/careers``). Stored in ``gold_scores`` with
    ``save``; the report's Methods section prints the test split's scores."""


    folder = Path(gold) if gold is not None else default_gold_dir()
    params = GoldParams(split=split, tolerance=tolerance, n_boot=n_boot)
    g = load_gold(folder)
    version = hashlib.sha256(b"".join((folder / f).read_bytes() for f in ("persons.csv", "moves.csv",
                                                                            "residence.csv"))).hexdigest()[:12]
    with opened(db, read_only=not save) as wh:
        sel = select(wh, params_id)
        events = wh.query("""SELECT researcher_id, origin, destination, year_to FROM events
                             WHERE params_id = ? AND kind = 'country' AND event_type IN ('migration', 'return')""",
                          [sel.params_id])
        residence = wh.query("SELECT researcher_id, year, country FROM residence WHERE params_id = ?", [sel.params_id])
        wanted = set(scored_persons(g, split)["person"])
        events, residence = _as_source_ids(wh, sel.params_id, wanted, events, residence)
        present = set(wh.query("SELECT DISTINCT researcher_id FROM observations")["researcher_id"]) & wanted
        if wanted and len(present) < 0.95 * len(wanted):
            raise ConfigError(f"this warehouse holds {len(present)} of the gold set's {len(wanted)} scored persons: the "
                              "gold set was labelled from every venue of the data mirror, so score an inference run on a "
                              "warehouse of the whole mirror (`talentflow ingest paperlists` with no --venues)")
        out = score(g, events, residence, params).assign(params_id=sel.params_id, gold_version=version,
                                                          tolerance=tolerance)
        if save:
            wh.apply_schema((GOLD_SCORES,))
            rows = out.assign(scored_at=_dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None))
            with wh.transaction():
                wh.execute("DELETE FROM gold_scores WHERE params_id = ? AND gold = ? AND split = ?",
                           [sel.params_id, g.name, split])
                wh.insert("gold_scores", rows[list(GOLD_SCORES.column_names)])
    return out


def _as_source_ids(wh: Warehouse, params_id: str, wanted: set, events: pd.DataFrame,
                   residence: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The careers gold set is keyed on source ids. For a run on resolved persons (``identity =
    resolved``) each gold source id is scored on the person holding most of its authorships (a
    merged id's person carries the other ids' records too; a split id's namesakes are left out):
    that person's events and residence are re-keyed to the gold id. Other runs pass through."""
    import json

    got = wh.execute("SELECT params FROM meta_runs WHERE params_id = ?", [params_id])
    if not got or json.loads(got[0][0]).get("identity") != "resolved" or not wh.has_table("persons"):
        return events, residence
    wh.con.register("_gold_ids", pd.DataFrame({"researcher_id": sorted(wanted)}))
    try:
        m = wh.query("""SELECT researcher_id AS gold_id, arg_max(person_id, n) AS person_id FROM (
                            SELECT researcher_id, person_id, count(*) AS n FROM persons
                            WHERE researcher_id IN (SELECT researcher_id FROM _gold_ids) GROUP BY ALL)
                        GROUP BY ALL""")
    finally:
        wh.con.unregister("_gold_ids")

    def rekey(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.merge(m, left_on="researcher_id", right_on="person_id", how="inner")
        return out.drop(columns=["researcher_id", "person_id"]).rename(columns={"gold_id": "researcher_id"})

    return rekey(events), rekey(residence)


def score_places(db: DB | None = None, gold: str | Path | None = None, *, split: str = "test",
                 mirror: str | Path | None = None, modal: bool = False, modal_share_min: float = 0.9,
                 save: bool = True) -> dict:
    """Score talentflow's place resolution (country, city) on the hand-labelled places gold set
    (``gold``: its folder; default the repository's ``gold/places``) beside the upstream country.

    Every gold row's record is read from the paperlists mirror (``mirror``, default
    ``$TALENTFLOW_MIRROR``), staged and resolved as ingest does (see
    :mod:`talentflow.validation.places`). ``modal`` also applies ingest's warehouse step that fills
    a missing country with the institution's modal country, from ``db``'s observations. With
    ``save`` the split's overall scores go to ``gold_scores`` under a ``places`` parameter set
    (``db`` is needed then). Returns {"scores": by stratum and measure, "counts": row counts,
    "predicted": every gold row with talentflow's answer, "params_id": ... or None}."""


    folder = Path(gold) if gold is not None else default_gold_dir("places")
    frame, version = pl.load_places(folder)
    root = Path(mirror) if mirror is not None else mirror_dir()
    if root is None or not (root / "paperlists").is_dir():
        raise ConfigError("the places score reads the gold rows' records from the paperlists mirror: set "
                          "TALENTFLOW_MIRROR (or pass --mirror) to a folder holding paperlists/")
    pl.check_split(split)
    params = pl.PlacesParams(resolver_tables=pl.resolver_tables_hash(),
                             modal_share_min=modal_share_min if modal else None)
    resolver = default_resolver()
    modal_map = None
    if modal:
        probe = pl.predict(frame, pl.mirror_records(root), resolver)
        ids = sorted({i for v in probe["institution_id"].dropna() for i in str(v).split("+") if i != "None"})
        with opened(db, read_only=True) as wh:
            modal_map = institution_modal(wh, ids, modal_share_min)
    predicted = pl.predict(frame, pl.mirror_records(root), resolver, modal_map)
    scores, counts = pl.score(predicted, split)
    pid = None
    if save:
        overall = scores[scores["stratum"] == "all"]
        with opened(db) as wh:
            wh.apply_schema((GOLD_SCORES,))
            with wh.transaction():
                pid = record_params(wh, "places", params)
                rows = overall.assign(params_id=pid, gold=folder.name, gold_version=version,
                                      persons=counts["decidable"] - counts["not_staged"], tolerance=None,
                                      scored_at=_dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None))
                wh.execute("DELETE FROM gold_scores WHERE params_id = ? AND gold = ? AND split = ?",
                           [pid, folder.name, split])
                wh.insert("gold_scores", rows[list(GOLD_SCORES.column_names)])
    return {"scores": scores.assign(gold=folder.name, gold_version=version, params_id=pid), "counts": counts,
            "predicted": predicted, "params_id": pid}


def institution_modal(wh: Warehouse, institution_ids: list[str], share_min: float = 0.9) -> dict[str, str]:
    """Institution -> its modal country over the warehouse's located observations, where it holds at
    least ``share_min`` of them (the rule ingest applies after load, ``institution_modal``)."""
    if not institution_ids or not wh.has_table("observations"):
        return {}
    wh.con.register("_places_ids", pd.DataFrame({"institution_id": institution_ids}))
    try:
        got = wh.query("""
            SELECT institution_id, arg_max(country, n) AS country, max(n) / sum(n) AS share
            FROM (SELECT institution_id, country, sum(weight) AS n FROM observations
                  WHERE country IS NOT NULL AND institution_id IN (SELECT institution_id FROM _places_ids)
                    AND country_rule <> 'institution_modal'
                  GROUP BY ALL)
            GROUP BY institution_id""")
    finally:
        wh.con.unregister("_places_ids")
    return {r.institution_id: r.country for r in got.itertuples() if r.share >= share_min}


def default_gold_dir(name: str = "careers") -> Path:
    """A gold set of the repository (``gold/<name>`` beside ``src/``), for a source checkout."""
    here = Path(__file__).resolve().parents[2] / "gold" / name
    if not here.is_dir():
        raise ConfigError(f"no gold set found: pass --gold DIR (the repository's gold/{name} folder)")
    return here


def score_persons(db: DB, gold: str | Path | None = None, *, split: str = "test", n_boot: int = 500,
                  save: bool = False, identity: str = "auto") -> pd.DataFrame:
    """B³ precision, recall and F1 of the warehouse's person identities on the hand-labelled persons
    gold set (``gold``: its folder; default the repository's ``gold/persons``), overall and per
    stratum. ``identity``: ``source_id`` (``researcher_id``: the source id, or a name key for
    name-only venues), ``resolved`` (``persons.person_id`` of ``talentflow link``) or ``auto``
    (resolved when the warehouse has persons). With ``save`` the overall row goes to
    ``gold_scores`` under a ``persons`` parameter set naming the identity rule (and, resolved, the
    resolution's params_id)."""

    folder = Path(gold) if gold is not None else default_gold_dir("persons")
    if split not in ("dev", "test", "all"):
        raise ConfigError(f"--split {split!r}: expected dev, test or all")
    g = load_persons_gold(folder)
    if split != "all":
        g = g[g["split"] == split]
    version = hashlib.sha256(b"".join((folder / f).read_bytes() for f in ("authorships.csv", "blocks.csv"))) \
        .hexdigest()[:12]
    if identity not in ("auto", "source_id", "resolved"):
        raise ConfigError(f"--identity {identity!r}: expected auto, source_id or resolved")
    with opened(db, read_only=not save) as wh:
        has = wh.has_table("persons") and wh.count("persons") > 0
        if identity == "resolved" and not has:
            raise ConfigError("this warehouse has no resolved persons: run `talentflow link` first")
        identity = ("resolved" if has else "source_id") if identity == "auto" else identity
        resolution = None
        if identity == "resolved":
            resolution = wh.execute("SELECT any_value(params_id) FROM persons")[0][0]
            keys = wh.query("SELECT work_id, author_position, person_id AS predicted FROM persons")
        else:
            keys = wh.query("SELECT work_id, author_position, researcher_id AS predicted FROM authorships")
        keys["author_position"] = keys["author_position"].astype("Int64")
        frame = g.merge(keys, on=["work_id", "author_position"], how="left")
        found = frame["predicted"].notna().mean() if len(frame) else 0.0
        if found < 0.95:
            raise ConfigError(f"this warehouse holds {found:.0%} of the gold set's authorships: the gold set was "
                              "labelled from every venue of the data mirror; score a warehouse of the whole mirror")
        rows = [{"stratum": "all", **b_cubed(frame, n_boot=n_boot)}]
        rows += [{"stratum": s, **b_cubed(part, n_boot=n_boot)} for s, part in frame.groupby("stratum")]
        out = pd.DataFrame(rows).assign(split=split, gold=folder.name, gold_version=version,
                                        identity=identity, resolution=resolution)
        if save:
            wh.apply_schema((GOLD_SCORES,))
            with wh.transaction():
                pid = record_params(wh, "persons", {"identity": "source_id"} if resolution is None
                                    else {"identity": "resolved", "resolution": resolution})
                o = out.iloc[0]
                long = pd.DataFrame([{"measure": m, "value": o[m], "lo": o[f"{m}_lo"], "hi": o[f"{m}_hi"],
                                      "n": int(o["authorships"])} for m in ("b3_precision", "b3_recall", "b3_f1")])
                long = long.assign(params_id=pid, gold=folder.name, gold_version=version, split=split,
                                   persons=int(o["blocks"]), tolerance=None,
                                   scored_at=_dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None))
                wh.execute("DELETE FROM gold_scores WHERE params_id = ? AND gold = ? AND split = ?",
                           [pid, folder.name, split])
                wh.insert("gold_scores", long[list(GOLD_SCORES.column_names)])
            out = out.assign(params_id=pid)
    return out
