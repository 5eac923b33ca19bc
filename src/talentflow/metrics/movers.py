"""How many researchers a selection holds, how many of them moved abroad, and how many moves.

A researcher is in a selection (a panel of id namespaces and a year range) when they have a year
of residence in it; a mover has at least one country move (migration or return) whose first year
at the destination is in the range. These are distinct counts, not sums over years, so they are
computed per researcher: ``mover_index`` loads a run's residence years and moves once (a server
keeps it), and ``movers`` answers any panel and year range from it with bootstrap intervals (the
same Poisson weights per researcher as every other figure, ``metrics.uncertainty``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from talentflow.metrics.flows import COUNTRY_MOVES
from talentflow.metrics.uncertainty import BootstrapParams, percentile_interval, ratio, replicate_weights
from talentflow.store.warehouse import Warehouse


@dataclass(frozen=True)
class MoverIndex:
    ids: np.ndarray  # researcher ids of the run's residence, sorted
    namespace: np.ndarray  # per researcher
    res_code: np.ndarray  # residence (researcher, year), distinct
    res_year: np.ndarray
    ev_code: np.ndarray  # country moves: researcher, first year at the destination
    ev_year: np.ndarray
    at_risk: np.ndarray  # per researcher: observed in at least two years of the run (could show a move)
    weights: np.ndarray | None  # (n_boot, researchers) float32 Poisson weights
    boot: BootstrapParams


def mover_index(wh: Warehouse, params_id: str, boot: BootstrapParams = BootstrapParams()) -> MoverIndex:
    types = ", ".join("'" + t + "'" for t in COUNTRY_MOVES)
    res = wh.query("""
        SELECT r.researcher_id, coalesce(x.namespace, '') AS namespace, r.year,
               bool_or(r.status = 'observed') AS observed
        FROM residence r LEFT JOIN (SELECT DISTINCT researcher_id, namespace FROM researchers) x USING (researcher_id)
        WHERE r.params_id = $pid GROUP BY ALL""", {"pid": params_id})
    ev = wh.query(f"""SELECT researcher_id, year_to FROM events WHERE params_id = $pid AND kind = 'country'
                      AND event_type IN ({types})""", {"pid": params_id})
    codes, ids = pd.factorize(res["researcher_id"], sort=True)
    ids = np.asarray(ids, dtype=object)
    first = pd.Series(res["namespace"].to_numpy(dtype=object)).groupby(codes).first()
    namespace = first.reindex(range(len(ids))).to_numpy(dtype=object)
    at_risk = np.bincount(codes, weights=res["observed"].to_numpy(dtype=float), minlength=len(ids)) >= 2
    ev_code = pd.Index(ids).get_indexer(ev["researcher_id"])
    keep = ev_code >= 0
    weights = replicate_weights(ids, boot).astype(np.float32) if boot.n_boot and len(ids) else None
    return MoverIndex(ids, namespace, codes.astype(np.int64), res["year"].to_numpy(dtype=np.int64),
                      ev_code[keep].astype(np.int64), ev["year_to"].to_numpy(dtype=np.int64)[keep], at_risk, weights,
                      boot)


def movers(index: MoverIndex, namespaces: tuple[str, ...] | None, year_from: int | None,
           year_to: int | None) -> dict[str, float]:
    """researchers, movers, moves; share (% of researchers who moved) and total (moves); the same
    share among researchers at risk (observed in at least two years): researchers_at_risk,
    movers_at_risk, share_at_risk; intervals ``_lo`` / ``_hi`` when the index has replicate weights."""
    n = len(index.ids)
    lo = -10**6 if year_from is None else int(year_from)
    hi = 10**6 if year_to is None else int(year_to)
    in_panel = np.isin(index.namespace, list(namespaces)) if namespaces else np.ones(n, dtype=bool)
    rows = (index.res_year >= lo) & (index.res_year <= hi) & in_panel[index.res_code]
    member = np.bincount(index.res_code[rows], minlength=n) > 0
    ev = (index.ev_year >= lo) & (index.ev_year <= hi) & member[index.ev_code]
    moves = np.bincount(index.ev_code[ev], minlength=n).astype(float)
    risk = member & index.at_risk
    values = np.vstack([member.astype(float), (moves > 0).astype(float), moves, risk.astype(float),
                        (risk & (moves > 0)).astype(float)])
    point = values.sum(axis=1)
    out = {"researchers": float(point[0]), "movers": float(point[1]), "moves": float(point[2]),
           "share": float(ratio(point[1], point[0], 100.0)), "total": float(point[2]),
           "researchers_at_risk": float(point[3]), "movers_at_risk": float(point[4]),
           "share_at_risk": float(ratio(point[4], point[3], 100.0))}
    if index.weights is not None and member.any():
        sums = (index.weights @ values.T.astype(np.float32)).astype(np.float64)  # (n_boot, 5); exact: whole numbers < 2**24
        reps = {"share": ratio(sums[:, 1], sums[:, 0], 100.0)[:, None], "total": sums[:, 2][:, None],
                "share_at_risk": ratio(sums[:, 4], sums[:, 3], 100.0)[:, None]}
        for name, (a, b) in percentile_interval(reps, index.boot.level).items():
            out[f"{name}_lo"], out[f"{name}_hi"] = float(a[0]), float(b[0])
    return out
