"""Simulated careers with a known brain-circulation effect (used by test_collab_circulation.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd

COUNTRIES = ("AAA", "BBB", "CCC", "DDD")


def simulate_careers(n_stayers: int = 3000, n_movers: int = 600, *, delta: dict[str, float] | None = None,
                     age_slope: float = -0.02, p_return: tuple[float, float] = (0.5, 0.1), seed: int = 1):
    """Careers in which staying has an age trend and moving cuts origin ties by ``delta[destination]``.

    A researcher publishes 0-2 papers a year for 14 years from a first year in 2000-2007. Each
    paper has co-authors of known country; one of them is in the researcher's home (origin) country
    with probability ``p(age, field) = base(field) + age_slope * age`` (stayers, and movers before
    the move), ``p(age, field) - delta[dest]`` after the move. So the true difference in differences
    is ``-delta[dest]``, whereas the movers' raw before/after change also carries the age trend.
    Movers with an origin tie in the first 3 years after the move return (a later move back, 4-6 years
    after) with probability ``p_return[0]``, others with ``p_return[1]``.
    """
    rng = np.random.default_rng(seed)
    delta = delta or {"BBB": 0.1, "CCC": 0.3, "DDD": 0.45}
    base = {"v1": 0.9, "v2": 0.75}
    papers, coauthors, moves, home = [], [], [], []
    n = n_stayers + n_movers
    for i in range(n):
        rid = f"r{i}"
        mover = i >= n_stayers
        origin = "AAA" if mover else COUNTRIES[i % len(COUNTRIES)]
        field = "v1" if rng.random() < 0.5 else "v2"
        first = int(rng.integers(2000, 2008))
        dest = str(rng.choice(["BBB", "CCC", "DDD"])) if mover else None
        t = first + int(rng.integers(3, 8)) if mover else None
        tie_early = False
        for year in range(first, first + 14):
            for k in range(int(rng.integers(0, 3))):
                wid = f"w{i}_{year}_{k}"
                papers.append((rid, wid, year, field))
                age = year - first
                p = base[field] + age_slope * age
                after = mover and year >= t
                if after:
                    p -= delta[dest]
                has_origin = rng.random() < min(max(p, 0.0), 1.0)
                own = dest if after else origin
                foreign = [c for c in COUNTRIES if c not in (origin, own)]
                coauthors.append((rid, wid, str(rng.choice(foreign))))
                if has_origin:
                    coauthors.append((rid, wid, origin))
                    if after and year < t + 3:
                        tie_early = True
                if after:
                    coauthors.append((rid, wid, own))
        if mover:
            moves.append((rid, origin, dest, t))
            if rng.random() < (p_return[0] if tie_early else p_return[1]):
                moves.append((rid, dest, origin, t + int(rng.integers(4, 7))))
        home.append((rid, origin, 0.6 if mover else 1.0))
    return (pd.DataFrame(moves, columns=["researcher_id", "origin", "destination", "year_to"]),
            pd.DataFrame(papers, columns=["researcher_id", "work_id", "year", "venue"]),
            pd.DataFrame(coauthors, columns=["researcher_id", "work_id", "country"]).drop_duplicates(),
            pd.DataFrame(home, columns=["researcher_id", "home_country", "home_share"]))
