"""Events: country moves with a typology, institution moves and sector moves.

Built as SQL over the intermediate relations of ``talentflow.inference.residence`` (observed
years, classified spells, merged core spells, residence) and the observations.

Country events (``kind = 'country'``):

- ``migration``: from one core (persisting) spell to the next, at another country;
- ``return``: the same, when the destination is a country of earlier residence
  (``return_rule = any_previous``) or the first one (``origin``);
- ``temporary``: a short stay at B between spells at A (a visit, a one-year position);
- ``ambiguous``: a short spell between two different countries, or a short first spell; and,
  with ``chain_rule = ambiguous``, a move A -> C with such a spell at a third country between;
- ``censored``: a short spell closing the record: the move may or may not persist;
- ``traveler``: a co-affiliation abroad (weight >= ``traveler_min_weight``) in years of
  residence at home, one row per researcher, home and foreign country.

``year_from`` is the last year seen at the origin, ``year_to`` the first year seen at the
destination, ``year`` the point estimate (``point_estimate``). ``reason`` says why in words.
Institution moves (``kind = 'institution'``) follow the institution of residence over core
years, with the same persistence rule; sector moves (``kind = 'sector'``) are institution
moves between academia and industry.
"""

from __future__ import annotations

from talentflow.inference.params import InferenceParams
from talentflow.schema.inference import EVENT_KINDS, EVENT_TYPES

__all__ = ["EVENT_COLUMNS", "EVENT_KINDS", "EVENT_TYPES", "events_sql"]
EVENT_COLUMNS = ("researcher_id", "kind", "event_type", "origin", "destination", "origin_country",
                 "destination_country", "origin_institution", "destination_institution", "origin_hub",
                 "destination_hub", "origin_sector", "destination_sector", "year_from", "year_to", "year", "reason",
                 "probability")


def _point(p: InferenceParams) -> str:
    midpoint = "CAST((year_from + year_to + 1) // 2 AS INTEGER)"
    # evidence: the year both countries are seen in (the origin still seen in the first year at the
    # destination: publication lag; or the destination already seen in the last year at the origin)
    evidence = f"CASE WHEN lag_to THEN year_to WHEN lead_from THEN year_from ELSE {midpoint} END"
    return {"year_to": "year_to", "year_from": "year_from", "midpoint": midpoint,
            "evidence": evidence}[p.point_estimate]


def events_sql(p: InferenceParams, cyears: str, oyears: str, spells: str, core: str, ryears: str) -> str:
    """All events, one row each, in EVENT_COLUMNS order (``ryears``: the residence of observed years)."""
    if p.return_rule == "any_previous":
        is_return = "coalesce(list_contains(before, country), false)"
    else:
        is_return = "country = first_country"
    m = int(p.min_spell_years)
    mo = int(p.min_origin_years)
    bs = float(p.boundary_share)
    chain_ambiguous = "FALSE" if p.chain_rule == "skip" else "TRUE"
    # ``room``: only a short spell with room around it for a persisting stay makes the move ambiguous
    room = f"a.next_first - a.prev_last - 1 >= {m}" if p.chain_rule == "room" else "TRUE"
    return f"""WITH
    cm AS MATERIALIZED (
        SELECT *, lag(country) OVER w AS origin, lag(last_year) OVER w AS year_from,
               list(country) OVER (PARTITION BY researcher_id ORDER BY core_idx
                                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before,
               first_value(country) OVER w AS first_country
        FROM {core} WINDOW w AS (PARTITION BY researcher_id ORDER BY core_idx)),
    via AS (
        SELECT c.researcher_id, c.core_idx, string_agg(DISTINCT a.country, ',' ORDER BY a.country) AS via
        FROM cm c JOIN {spells} a ON a.researcher_id = c.researcher_id AND a.episode = 'ambiguous'
             AND a.prev_country IS NOT NULL AND a.first_year > c.year_from AND a.first_year < c.first_year
             AND a.country <> c.country AND a.country <> c.origin AND {room}
        WHERE c.origin IS NOT NULL GROUP BY ALL),
    cmoves AS MATERIALIZED (
        SELECT cm.researcher_id,
               CASE WHEN {chain_ambiguous} AND via.via IS NOT NULL THEN 'ambiguous'
                    WHEN {is_return} THEN 'return' ELSE 'migration' END AS event_type,
               origin, country AS destination, year_from, first_year AS year_to,
               'resident in ' || origin || ' (last seen ' || year_from || '), then in ' || country || ' from '
                   || first_year || ' (' || n_years || ' year(s) seen)'
                   || CASE WHEN {is_return} THEN '; had lived there before' ELSE '' END
                   || coalesce('; seen briefly in ' || via.via || ' between', '') AS reason
        FROM cm LEFT JOIN via USING (researcher_id, core_idx) WHERE origin IS NOT NULL),
    cother AS MATERIALIZED (
        SELECT researcher_id, episode AS event_type, prev_country AS origin, country AS destination,
               prev_last AS year_from, first_year AS year_to,
               'seen in ' || country || ' ' || first_year || '-' || last_year || ' (' || n_years || ' year(s)) '
                   || CASE episode
                        WHEN 'temporary' THEN 'between spells in ' || prev_country
                        WHEN 'censored' THEN 'at the end of the record (fewer than {m} years): persistence unknown'
                        ELSE 'between ' || prev_country || ' and ' || next_country || ' (fewer than {m} years)' END
                   AS reason
        FROM {spells} WHERE prev_country IS NOT NULL AND episode IN ('temporary', 'censored', 'ambiguous')
        UNION ALL
        SELECT researcher_id, 'ambiguous', country, next_country, last_year, next_first,
               'first spell in ' || country || ' seen in only ' || n_years || ' year(s) (fewer than {mo})'
        FROM {spells} WHERE prev_country IS NULL AND episode = 'ambiguous'),
    country_ev AS (
        SELECT e.researcher_id, 'country' AS kind, e.event_type, e.origin, e.destination,
               e.origin AS origin_country, e.destination AS destination_country,
               f.institution_id AS origin_institution, t.institution_id AS destination_institution,
               f.hub AS origin_hub, t.hub AS destination_hub, e.year_from, e.year_to, e.reason,
               lt.w IS NOT NULL AS lag_to, lf.w IS NOT NULL AS lead_from
        FROM (SELECT * FROM cmoves UNION ALL SELECT * FROM cother) e
        LEFT JOIN {oyears} f ON f.researcher_id = e.researcher_id AND f.year = e.year_from
        LEFT JOIN {oyears} t ON t.researcher_id = e.researcher_id AND t.year = e.year_to
        LEFT JOIN {cyears} lt ON lt.researcher_id = e.researcher_id AND lt.year = e.year_to AND lt.country = e.origin
             AND lt.w >= {bs} * lt.total - 1e-9
        LEFT JOIN {cyears} lf ON lf.researcher_id = e.researcher_id AND lf.year = e.year_from
             AND lf.country = e.destination AND lf.w >= {bs} * lf.total - 1e-9),
    travel AS (
        SELECT o.researcher_id, 'country' AS kind, 'traveler' AS event_type, r.country AS origin,
               o.country AS destination, r.country AS origin_country, o.country AS destination_country,
               NULL AS origin_institution, NULL AS destination_institution, NULL AS origin_hub,
               NULL AS destination_hub, min(o.year) AS year_from, max(o.year) AS year_to,
               'co-affiliation in ' || o.country || ' in ' || count(*) || ' year(s) of residence in ' || r.country
                   AS reason
        FROM (SELECT * FROM {cyears} WHERE w >= {float(p.traveler_min_weight)!r} AND w < total - 1e-9) o
        JOIN (SELECT researcher_id, year, res_country AS country FROM {ryears}
              WHERE observed_country = res_country) r ON r.researcher_id = o.researcher_id AND r.year = o.year
        WHERE o.country <> r.country
        GROUP BY o.researcher_id, r.country, o.country),
    irun AS (
        -- runs of one institution over the core years that have one
        SELECT researcher_id, year, res_inst, res_hub, res_country, sector,
               CASE WHEN res_inst IS DISTINCT FROM lag(res_inst) OVER w THEN 1 ELSE 0 END AS brk
        FROM {ryears} WHERE episode = 'core' AND res_inst IS NOT NULL
        WINDOW w AS (PARTITION BY researcher_id ORDER BY year)),
    isp AS (
        -- institution spells; hub and country of the spell's latest year (one row per year: deterministic)
        SELECT researcher_id, inst_run AS ispell, any_value(res_inst) AS institution_id,
               arg_max(res_hub, year) AS hub, arg_max(res_country, year) AS country, any_value(sector) AS sector,
               min(year) AS first_year, max(year) AS last_year, count(*) AS n_years
        FROM (SELECT *, sum(brk) OVER (PARTITION BY researcher_id ORDER BY year ROWS UNBOUNDED PRECEDING) AS inst_run
              FROM irun)
        GROUP BY researcher_id, inst_run),
    ikeep AS (
        SELECT *, CASE WHEN institution_id IS DISTINCT FROM lag(institution_id) OVER w THEN 1 ELSE 0 END AS brk
        FROM isp WHERE n_years >= {m} OR (ispell = 1 AND n_years >= {mo})
        WINDOW w AS (PARTITION BY researcher_id ORDER BY ispell)),
    ik2 AS (
        SELECT *, sum(brk) OVER (PARTITION BY researcher_id ORDER BY ispell ROWS UNBOUNDED PRECEDING) AS iidx
        FROM ikeep),
    imerged AS (
        SELECT researcher_id, iidx, any_value(institution_id) AS institution_id, arg_max(hub, last_year) AS hub,
               arg_max(country, last_year) AS country, any_value(sector) AS sector,
               min(first_year) AS first_year, max(last_year) AS last_year, sum(n_years) AS n_years
        FROM ik2 GROUP BY ALL),
    imoves AS (
        SELECT researcher_id, lag(institution_id) OVER w AS origin, institution_id AS destination,
               lag(country) OVER w AS origin_country, country AS destination_country,
               lag(hub) OVER w AS origin_hub, hub AS destination_hub,
               lag(sector) OVER w AS origin_sector, sector AS destination_sector,
               lag(last_year) OVER w AS year_from, first_year AS year_to, n_years
        FROM imerged WINDOW w AS (PARTITION BY researcher_id ORDER BY iidx)),
    inst_ev AS MATERIALIZED (
        SELECT researcher_id, 'institution' AS kind, 'institution_move' AS event_type, origin, destination,
               origin_country, destination_country, origin AS origin_institution,
               destination AS destination_institution, origin_hub, destination_hub, origin_sector,
               destination_sector, year_from, year_to,
               'institution of residence ' || origin || ' (last seen ' || year_from || '), then ' || destination
                   || ' from ' || year_to || ' (' || n_years || ' year(s) seen)' AS reason
        FROM imoves WHERE origin IS NOT NULL),
    sector_ev AS (
        SELECT researcher_id, 'sector' AS kind, 'sector_move' AS event_type, origin_sector AS origin,
               destination_sector AS destination, origin_country, destination_country, origin_institution,
               destination_institution, origin_hub, destination_hub, origin_sector, destination_sector,
               year_from, year_to,
               origin_sector || ' -> ' || destination_sector || ': ' || origin_institution || ' to '
                   || destination_institution AS reason
        FROM inst_ev
        WHERE origin_sector IN ('academia', 'industry') AND destination_sector IN ('academia', 'industry')
              AND origin_sector <> destination_sector),
    allev AS (
        SELECT researcher_id, kind, event_type, origin, destination, origin_country, destination_country,
               origin_institution, destination_institution, origin_hub, destination_hub,
               NULL::VARCHAR AS origin_sector, NULL::VARCHAR AS destination_sector, year_from, year_to, reason,
               lag_to, lead_from
        FROM country_ev
        UNION ALL
        SELECT researcher_id, kind, event_type, origin, destination, origin_country, destination_country,
               origin_institution, destination_institution, origin_hub, destination_hub,
               NULL::VARCHAR, NULL::VARCHAR, year_from, year_to, reason, FALSE, FALSE
        FROM travel
        UNION ALL SELECT *, FALSE, FALSE FROM inst_ev
        UNION ALL SELECT *, FALSE, FALSE FROM sector_ev)
    SELECT researcher_id, kind, event_type, origin, destination, origin_country, destination_country,
           origin_institution, destination_institution, origin_hub, destination_hub, origin_sector,
           destination_sector, CAST(year_from AS INTEGER) AS year_from, CAST(year_to AS INTEGER) AS year_to,
           CASE WHEN event_type = 'traveler' THEN CAST(year_from AS INTEGER) ELSE {_point(p)} END AS year, reason,
           CAST(1.0 AS DOUBLE) AS probability
    FROM allev"""
