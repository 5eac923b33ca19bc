"""Residence: for each researcher and year, the country (institution, hub, sector) of residence.

The computation is SQL text built from ``InferenceParams`` over relations named by the caller,
so the same rules run in an in-memory DuckDB over DataFrames (``infer_residence``) and inside
the warehouse over tens of millions of rows (``talentflow.inference.run``) without moving data
through Python.

Rules, in order (each a parameter, see ``InferenceParams``):

1. *Observed years.* Per researcher-year, sum the fractional weights of located observations
   by country; a year with less than ``min_evidence`` weight is not observed. The modal
   country wins; ties go to continuity (``tie_break``), then to the alphabetical order. The
   modal share (winner's weight / located weight) is the year's ``share``.
2. *Spells.* Consecutive observed years at one country form a spell. A spell between two
   spells at the same country is a ``temporary`` stay when seen in fewer than
   ``min_spell_years`` years or spanning at most ``temporary_window`` years; stays are taken
   out and their neighbours merged (A, B, A -> one spell at A). Of the remaining spells, one
   is *core* (persisting residence) when seen in at least ``min_spell_years`` years, or when it
   opens the record with at least ``min_origin_years`` years, or is the only spell; otherwise
   it is ``censored`` (closing the record), ``temporary`` (between the same country) or
   ``ambiguous``.
3. *Residence* of every year from the first to the last observed year (``padding``), except
   years inside gaps longer than ``max_gap``: the country of the latest core spell begun at or
   before the year (years before the first core spell: the observed country). The
   institution is the modal institution of the latest core year at that country.
"""

from __future__ import annotations

from talentflow.inference.params import InferenceParams

SECTORS = {"education": "academia", "company": "industry", "government": "government", "facility": "government",
           "nonprofit": "other", "other": "other"}


def _sector_case(col: str) -> str:
    arms = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in SECTORS.items())
    return f"CASE {col} {arms} END"


def country_years_sql(p: InferenceParams, obs: str) -> str:
    """One row per researcher, year and country with located weight: ``w`` (summed fractional
    weights), ``total`` (the year's located weight), ``wmax`` (the year's largest ``w``) and
    ``pick``, the country's modal institution and hub that year (heaviest, then by id). Years
    below ``min_evidence`` are left out."""
    return f"""WITH
    ih0 AS (
        SELECT researcher_id, year, country, institution_id, hub, sum(weight) AS w
        FROM {obs} WHERE country IS NOT NULL GROUP BY ALL),
    cy AS (
        SELECT researcher_id, year, country, sum(w) AS w,
               arg_min({{'i': institution_id, 'h': hub}},
                       (institution_id IS NULL, -round(w, 9), institution_id, hub IS NULL, hub)) AS pick
        FROM ih0 GROUP BY ALL),
    yt AS (
        SELECT researcher_id, year, sum(w) AS total, max(w) AS wmax
        FROM cy GROUP BY ALL HAVING sum(w) >= {float(p.min_evidence)!r})
    SELECT cy.researcher_id, cy.year, cy.country, cy.w, yt.total, yt.wmax, cy.pick
    FROM cy JOIN yt ON yt.researcher_id = cy.researcher_id AND yt.year = cy.year"""


def observed_years_sql(p: InferenceParams, cyears: str) -> str:
    """One row per observed researcher-year: observed_country, share, located weight, institution, hub, spell."""
    prio = {"previous": ("prev_c", "next_c"), "next": ("next_c", "prev_c"), "alphabetical": (None, None)}[p.tie_break]
    first, second = prio
    if first is None:
        key = "c.country"
    else:
        key = f"(CASE WHEN c.country = d.{first} THEN 0 WHEN c.country = d.{second} THEN 1 ELSE 2 END, c.country)"
    return f"""WITH
    cand AS (
        SELECT * FROM {cyears} WHERE w >= wmax - 1e-9),
    cnt AS (
        SELECT researcher_id, year, count(*) AS n_cand, min(country) AS first_cand, arg_min(pick, country) AS first_pick,
               max(w) AS w, max(total) AS total
        FROM cand GROUP BY ALL),
    dec AS (
        -- the nearest decided years around each year, for the researchers with a tie only
        SELECT *,
            last_value(CASE WHEN n_cand = 1 THEN first_cand END IGNORE NULLS) OVER (
                PARTITION BY researcher_id ORDER BY year ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_c,
            first_value(CASE WHEN n_cand = 1 THEN first_cand END IGNORE NULLS) OVER (
                PARTITION BY researcher_id ORDER BY year ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS next_c
        FROM cnt WHERE researcher_id IN (SELECT researcher_id FROM cnt WHERE n_cand > 1)),
    tied AS (
        SELECT d.researcher_id, d.year, arg_min(c.country, {key}) AS country, arg_min(c.pick, {key}) AS pick
        FROM dec d JOIN cand c ON c.researcher_id = d.researcher_id AND c.year = d.year
        WHERE d.n_cand > 1 GROUP BY ALL),
    yr AS (
        SELECT d.researcher_id, d.year, coalesce(t.country, d.first_cand) AS observed_country,
               d.w / d.total AS share, d.total AS located_weight, d.n_cand > 1 AS tie,
               coalesce(t.pick, d.first_pick) AS pick
        FROM cnt d LEFT JOIN tied t ON t.researcher_id = d.researcher_id AND t.year = d.year),
    s1 AS (
        SELECT researcher_id, year, observed_country, share, located_weight, tie, pick.i AS institution_id,
               pick.h AS hub,
               CASE WHEN observed_country IS DISTINCT FROM lag(observed_country) OVER w THEN 1 ELSE 0 END AS brk
        FROM yr WINDOW w AS (PARTITION BY researcher_id ORDER BY year))
    SELECT * EXCLUDE (brk),
           sum(brk) OVER (PARTITION BY researcher_id ORDER BY year ROWS UNBOUNDED PRECEDING) AS spell
    FROM s1"""


def rspells_sql(p: InferenceParams, oyears: str) -> str:
    """Raw spells (runs of observed years at one country); short stays between two spells at the same
    country are flagged ``temp``; the others get ``spell2``, their spell once the stays are taken out."""
    m, w = int(p.min_spell_years), int(p.temporary_window)
    return f"""WITH
    sp0 AS (
        SELECT researcher_id, spell, any_value(observed_country) AS country, min(year) AS first_year,
               max(year) AS last_year, count(*) AS n_years,
               -- the institution and hub of the spell's latest year that has one (residence of later years)
               arg_max(institution_id, CASE WHEN institution_id IS NOT NULL THEN year END) AS last_inst,
               arg_max(hub, CASE WHEN hub IS NOT NULL THEN year END) AS last_hub
        FROM {oyears} GROUP BY ALL),
    sp1 AS (
        SELECT *, lag(country) OVER w AS prev_country, lead(country) OVER w AS next_country,
               lag(last_year) OVER w AS prev_last, lead(first_year) OVER w AS next_first
        FROM sp0 WINDOW w AS (PARTITION BY researcher_id ORDER BY spell)),
    sp2 AS (
        SELECT *, coalesce(prev_country = next_country
                           AND (n_years < {m} OR last_year - first_year + 1 <= {w}), FALSE) AS temp
        FROM sp1),
    kept AS (
        SELECT *, CASE WHEN country IS DISTINCT FROM lag(country) OVER w THEN 1 ELSE 0 END AS brk
        FROM sp2 WHERE NOT temp WINDOW w AS (PARTITION BY researcher_id ORDER BY spell))
    SELECT * EXCLUDE (brk), sum(brk) OVER (PARTITION BY researcher_id ORDER BY spell ROWS UNBOUNDED PRECEDING) AS spell2
    FROM kept
    UNION ALL
    SELECT *, NULL AS spell2 FROM sp2 WHERE temp"""


def mspells_sql(p: InferenceParams, rspells: str, cyears: str) -> str:
    """Spells after the short stays are taken out (merged), classified: core, censored, ambiguous,
    temporary; plus the short stays themselves (``temporary``, spell2 NULL)."""
    m, mo, bs = int(p.min_spell_years), int(p.min_origin_years), float(p.boundary_share)
    return f"""WITH
    mg AS (
        SELECT researcher_id, spell2, any_value(country) AS country, min(first_year) AS first_year,
               max(last_year) AS last_year, sum(n_years) AS n_years
        FROM {rspells} WHERE NOT temp GROUP BY ALL),
    mg1 AS (
        SELECT *, lag(country) OVER w AS prev_country, lead(country) OVER w AS next_country,
               lag(last_year) OVER w AS prev_last, lead(first_year) OVER w AS next_first
        FROM mg WINDOW w AS (PARTITION BY researcher_id ORDER BY spell2)),
    mg2 AS (
        -- evidence: the spell's own years, plus the neighbouring spells' boundary years where the
        -- spell's country holds at least boundary_share of the located weight (publication lag)
        SELECT g.*, g.n_years + CASE WHEN a.w IS NULL THEN 0 ELSE 1 END + CASE WHEN b.w IS NULL THEN 0 ELSE 1 END
                   AS n_evidence
        FROM mg1 g
        LEFT JOIN {cyears} a ON a.researcher_id = g.researcher_id AND a.year = g.prev_last AND a.country = g.country
             AND a.w >= {bs} * a.total - 1e-9
        LEFT JOIN {cyears} b ON b.researcher_id = g.researcher_id AND b.year = g.next_first AND b.country = g.country
             AND b.w >= {bs} * b.total - 1e-9)
    SELECT researcher_id, spell2, country, first_year, last_year, n_years, prev_country, next_country, prev_last,
           next_first, CASE
            WHEN n_evidence >= {m} THEN 'core'
            WHEN prev_country IS NULL AND (next_country IS NULL OR n_evidence >= {mo}) THEN 'core'
            WHEN prev_country IS NULL THEN 'ambiguous'
            WHEN next_country IS NULL THEN 'censored'
            WHEN prev_country = next_country THEN 'temporary'
            ELSE 'ambiguous' END AS episode
    FROM mg2
    UNION ALL
    SELECT researcher_id, NULL, country, first_year, last_year, n_years, prev_country, next_country, prev_last,
           next_first, 'temporary'
    FROM {rspells} WHERE temp"""


def core_sql(mspells: str) -> str:
    """Core spells merged: consecutive core spells at the same country become one."""
    return f"""WITH
    c1 AS (
        SELECT *, CASE WHEN country IS DISTINCT FROM lag(country) OVER w THEN 1 ELSE 0 END AS brk
        FROM {mspells} WHERE episode = 'core' WINDOW w AS (PARTITION BY researcher_id ORDER BY spell2)),
    c2 AS (
        SELECT *, sum(brk) OVER (PARTITION BY researcher_id ORDER BY spell2 ROWS UNBOUNDED PRECEDING) AS core_idx
        FROM c1)
    SELECT researcher_id, core_idx, any_value(country) AS country, min(first_year) AS first_year,
           max(last_year) AS last_year, sum(n_years) AS n_years
    FROM c2 GROUP BY ALL"""


def ryears_sql(p: InferenceParams, oyears: str, rspells: str, mspells: str, institutions: str) -> str:
    """One row per observed researcher-year with its residence (see the module doc): the country
    (``res_country``), institution, hub and sector, the spell's episode, and what the padding of the
    following gap needs (the next observed year, its residence country and share). What a year
    inherits from the latest core spell is carried forward over spells, not years."""
    return f"""WITH
    sp AS (
        SELECT r.researcher_id, r.spell, CASE WHEN r.temp THEN 'temporary' ELSE m.episode END AS episode,
               r.country, r.last_inst, r.last_hub
        FROM {rspells} r LEFT JOIN {mspells} m ON m.researcher_id = r.researcher_id AND m.spell2 = r.spell2),
    carried AS (
        SELECT researcher_id, spell, episode,
               last_value(CASE WHEN episode = 'core' THEN country END IGNORE NULLS) OVER w AS core_country,
               last_value(CASE WHEN episode = 'core' THEN last_inst END IGNORE NULLS) OVER w AS core_inst,
               last_value(CASE WHEN episode = 'core' THEN last_hub END IGNORE NULLS) OVER w AS core_hub
        FROM sp WINDOW w AS (PARTITION BY researcher_id ORDER BY spell ROWS UNBOUNDED PRECEDING)),
    oy AS (
        SELECT s.researcher_id, s.year, s.observed_country, s.share, c.episode,
               coalesce(c.core_country, s.observed_country) AS res_country,
               CASE WHEN c.episode = 'core' THEN s.institution_id ELSE c.core_inst END AS res_inst,
               CASE WHEN c.episode = 'core' THEN s.hub ELSE c.core_hub END AS res_hub
        FROM {oyears} s JOIN carried c ON c.researcher_id = s.researcher_id AND c.spell = s.spell),
    oy2 AS (
        SELECT *, lead(year) OVER w AS next_obs, lead(res_country) OVER w AS next_res_country,
               lead(share) OVER w AS next_share
        FROM oy WINDOW w AS (PARTITION BY researcher_id ORDER BY year))
    SELECT y.researcher_id, y.year, y.observed_country, y.share, y.episode, y.res_country, y.res_inst, y.res_hub,
           {_sector_case('i.type')} AS sector, y.next_obs, y.next_res_country, y.next_share
    FROM oy2 y LEFT JOIN {institutions} i ON i.institution_id = y.res_inst"""


def residence_from_sql(p: InferenceParams, ryears: str) -> str:
    """Residence of every year from the first to the last observed one (see the module doc): the
    observed years of ``ryears``, each followed by the padded years of the gap after it."""
    if p.padding == "carry_forward":
        years_expr = (f"unnest(range(year, CASE WHEN next_obs IS NOT NULL AND next_obs - year - 1 <= {int(p.max_gap)} "
                      f"THEN next_obs ELSE year + 1 END)) AS res_year")
    else:
        years_expr = "year AS res_year"
    return f"""WITH
    padded AS (
        SELECT researcher_id, {years_expr}, year AS anchor_year, observed_country, share, next_share, episode,
               res_country, next_res_country, res_inst, res_hub, sector
        FROM {ryears})
    SELECT pd.researcher_id, CAST(pd.res_year AS INTEGER) AS year, pd.res_country AS country,
           CASE WHEN pd.res_year = pd.anchor_year THEN pd.observed_country END AS observed_country,
           pd.res_inst AS institution_id, pd.res_hub AS hub, pd.sector,
           CASE WHEN pd.res_year = pd.anchor_year THEN 'observed' ELSE 'padded' END AS status,
           CASE WHEN pd.res_year = pd.anchor_year THEN pd.episode ELSE 'gap' END AS episode,
           CASE WHEN pd.res_year = pd.anchor_year THEN pd.share END AS share,
           round(CASE
               WHEN pd.res_year = pd.anchor_year AND pd.episode = 'core' THEN pd.share
               WHEN pd.res_year = pd.anchor_year THEN 0.5 * pd.share
               WHEN pd.next_res_country = pd.res_country THEN least(pd.share, pd.next_share)
               ELSE 0.5 * pd.share END, 4) AS confidence
    FROM padded pd"""


RESIDENCE_COLUMNS = ("researcher_id", "year", "country", "observed_country", "institution_id", "hub", "sector",
                     "status", "episode", "share", "confidence")
