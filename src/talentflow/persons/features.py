"""One linkage record per authorship, built in DuckDB SQL from the warehouse's tables (CSV input,
whose person keys are the user's own, is left out: it keeps its keys).

Columns (what the comparisons of :mod:`talentflow.persons.link` read):

- ``unique_id`` (row number), ``work_id``, ``author_position``, ``source_id`` (the warehouse's
  ``researcher_id``), ``namespace`` (ieee, acl, openreview, name, csv...);
- name forms of the source identity's display name: ``name_full`` (accents stripped, lower case,
  every run of non-letters one space: "Hui-Man Yip" -> "hui man yip"), ``name_sorted`` (its
  tokens sorted: name order "Yang Fan" = "Fan Yang"), ``name_compact`` (no spaces, German-style
  transliterations folded: "Jürgen"/"Juergen", "Huiman"/"Hui-Man"), ``fi_last`` (first initial and
  surname: "F. Yang" ~ "Fan Yang");
- ``coauthors``: the other authors' ``name_full`` on the same work;
- ``institutions`` / ``countries``: the resolved institutions and countries of this authorship's
  observations; ``inst1`` the first institution (for blocking);
- ``domains`` (the e-mail domains as given, '+'-separated in the source, webmail left out) and
  ``org_domains`` (their registrable part: "mails.tsinghua.edu.cn" -> "tsinghua.edu.cn");
- ``venue``, ``field`` (the venue's field: robotics, nlp, vision, graphics, ml, data, ai,
  multimedia), ``year``.
"""

from __future__ import annotations

import pandas as pd

from talentflow.store.warehouse import Warehouse

# Venues by field (paperlists venue short names); any other venue is its own field.
VENUE_FIELDS = {
    "robotics": ("icra", "iros", "rss", "corl"),
    "nlp": ("acl", "naacl", "coling", "colm", "emnlp", "eacl"),
    "vision": ("cvpr", "iccv", "eccv", "wacv", "3dv"),
    "graphics": ("siggraph", "siggraphasia"),
    "ml": ("nips", "icml", "iclr", "aistats", "uai", "colt", "alt", "acml", "automl", "ai4x"),
    "data": ("kdd", "www"),
    "ai": ("aaai", "ijcai"),
    "multimedia": ("acmmm",),
}

# E-mail domains that say nothing about an employer.
WEBMAIL = ("gmail.com", "googlemail.com", "163.com", "126.com", "qq.com", "foxmail.com", "sina.com", "sohu.com",
           "yeah.net", "hotmail.com", "outlook.com", "live.com", "msn.com", "yahoo.com", "yahoo.co.jp", "icloud.com",
           "me.com", "mail.ru", "yandex.ru", "protonmail.com", "naver.com", "aol.com", "gmx.de", "web.de")

_FIELD_CASE = "CASE " + " ".join(
    f"WHEN w.venue IN ({', '.join(repr(v) for v in venues)}) THEN '{f}'" for f, venues in VENUE_FIELDS.items()
) + " ELSE w.venue END"

_WEBMAIL = ", ".join(repr(d) for d in WEBMAIL)


def records_sql(has_domain: bool) -> str:
    """The SQL of the linkage records (one row per authorship of the warehouse)."""
    domain = "lower(trim(a.aff_domain))" if has_domain else "NULL::VARCHAR"
    return f"""
    WITH base AS (
        SELECT a.work_id, a.author_position, a.researcher_id AS source_id, r.namespace, a.year,
               w.venue, {_FIELD_CASE} AS field,
               NULLIF({domain}, '') AS raw_domain,
               list_filter(string_split(trim(regexp_replace(strip_accents(lower(coalesce(r.name, r.source_key))),
                                                            '[^a-z]+', ' ', 'g')), ' '), lambda t: t <> '') AS tokens
        FROM authorships a
        JOIN researchers r USING (researcher_id)
        LEFT JOIN works w USING (work_id)
        -- a CSV file's person keys are the user's own: never linked, they stay as given
        WHERE NOT starts_with(r.namespace, 'csv')
    ), named AS (
        SELECT *, array_to_string(tokens, ' ') AS name_full,
               array_to_string(list_sort(tokens), ' ') AS name_sorted,
               replace(replace(replace(array_to_string(tokens, ''), 'ue', 'u'), 'oe', 'o'), 'ae', 'a') AS name_compact,
               CASE WHEN len(tokens) >= 2 THEN tokens[1][1] || ' ' || tokens[-1] END AS fi_last,
               tokens[-1] AS surname, tokens[1][1] AS given_initial,
               list_filter(list_transform(string_split(coalesce(raw_domain, ''), '+'), lambda d: trim(d)),
                           lambda d: d LIKE '%_._%' AND d NOT IN ({_WEBMAIL})) AS domains
        FROM base
    ), co AS (
        SELECT x.work_id, x.author_position,
               list(DISTINCT y.name_full) FILTER (WHERE y.author_position <> x.author_position AND y.name_full <> '')
                   AS coauthors
        FROM named x JOIN named y USING (work_id)
        GROUP BY ALL
    ), inst AS (
        SELECT work_id, researcher_id AS source_id,
               list(DISTINCT institution_id) FILTER (WHERE institution_id IS NOT NULL) AS institutions,
               list(DISTINCT country) FILTER (WHERE country IS NOT NULL) AS countries
        FROM observations GROUP BY ALL
    )
    SELECT row_number() OVER (ORDER BY n.work_id, n.author_position) AS unique_id,
           n.work_id, n.author_position, n.source_id, n.namespace, n.year, n.venue, n.field,
           NULLIF(n.name_full, '') AS name_full, NULLIF(n.name_sorted, '') AS name_sorted,
           NULLIF(n.name_compact, '') AS name_compact, n.fi_last, n.surname, n.given_initial,
           NULLIF(co.coauthors, []) AS coauthors,
           NULLIF(i.institutions, []) AS institutions, NULLIF(i.countries, []) AS countries,
           list_sort(i.institutions)[1] AS inst1,
           NULLIF(n.domains, []) AS domains,
           NULLIF(list_distinct(list_transform(n.domains, lambda d:
               CASE WHEN len(string_split(d, '.')) >= 3
                         AND string_split(d, '.')[-2] IN ('edu', 'ac', 'co', 'com', 'org', 'gov', 'net', 'or', 'ne')
                         AND len(string_split(d, '.')[-1]) = 2
                    THEN array_to_string(string_split(d, '.')[-3:], '.')
                    ELSE array_to_string(string_split(d, '.')[-2:], '.') END)), []) AS org_domains
    FROM named n
    LEFT JOIN co USING (work_id, author_position)
    LEFT JOIN inst i USING (work_id, source_id)
    """


def has_column(wh: Warehouse, table: str, column: str) -> bool:
    return bool(wh.execute("SELECT count(*) FROM information_schema.columns WHERE table_name = ? AND column_name = ?",
                           [table, column])[0][0])


def linkage_records(wh: Warehouse) -> pd.DataFrame:
    """The linkage records of every authorship in the warehouse (see the module doc)."""
    return wh.query(records_sql(has_column(wh, "authorships", "aff_domain")))
