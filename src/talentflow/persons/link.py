"""The person-resolution model: splink (Fellegi-Sunter record linkage) on DuckDB, and person keys.

Records are authorships (:mod:`talentflow.persons.features`), so a source id can be split (an
ACL id that joins namesakes) as well as merged with others (two IEEE ids of one person, an IEEE
and an OpenReview id, name-only authorships of NeurIPS, CVPR...).

Comparisons (each a splink comparison; its m and u probabilities are estimated, not set):

- ``name``: exact normalized full name (with a term-frequency adjustment, so a match on
  "wei wang" weighs less than one on a rare name), same tokens in another order, same letters
  after transliteration / without spaces or hyphens, Jaro-Winkler >= 0.92, same first initial and
  surname where one side is an initial ("F. Yang" / "Fan Yang"), else;
- ``source``: same stable source id, different ids of one id namespace (IEEE, ACL, OpenReview:
  the namespaces keep people apart on purpose), else (a name-only record or another namespace);
- ``coauthors``: >= 2 / 1 co-author names in common;
- ``institution``: an institution in common, a country in common in the same or next year, a
  country in common, different places in the same or next year (two people, or a dual
  affiliation), else (different places years apart: perhaps a move);
- ``domain``: an e-mail domain in common, else its registrable part (``tsinghua.edu.cn``);
- ``venue``: same venue, same field (robotics, nlp, vision...);
- ``year``: 0-1, 2-3, 4-7 years apart.

Blocking (pairs compared at all): the same normalized full name, the same sorted tokens, the
same compact transliterated name, the same source id, or the same first initial and surname at
the same institution ("Mong Ying A Hsieh" / "M. Ani Hsieh" at UPenn). The number of pairs is the sum over
names of n(n-1)/2, so it grows with the size of the largest name blocks, not with the square of
the input; docs/persons.md gives the counts and timings.

Training: the prior match probability from a deterministic rule (same stable source id),
u probabilities from random pairs, m probabilities by expectation maximisation in two sessions
(blocked on the full name, which trains every comparison but ``name``; blocked on surname, venue
and year and first initial, which trains ``name``). Prediction keeps pairs at or above the threshold; persons are built from
them by :func:`cluster` (connected components of the corroborated links, then attachment).
"""

from __future__ import annotations

import logging
import time

import duckdb
import numpy as np
import pandas as pd

from talentflow.persons.params import PersonsParams

LINK_COLUMNS = ("unique_id", "source_id", "namespace", "year", "venue", "field", "surname", "given_initial", "inst1", "name_full", "name_sorted",
                "name_compact", "fi_last", "coauthors", "institutions", "countries", "domains", "org_domains")


# share of true matches (one person's two authorships) at each name level
NAME_M = {"exact": 0.9, "order": 0.005, "transliteration": 0.02, "similar": 0.03, "initials": 0.04, "else": 0.005}


def _settings(p: PersonsParams):
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    same_id = cll.CustomLevel("source_id_l = source_id_r AND namespace_l <> 'name'", "same stable id")
    def m_fixed(level, m: float):
        return level.configure(m_probability=m, fix_m_probability=True)

    # the m probabilities of the name levels are set, not estimated: a source id has one display
    # name, so EM never sees a person's name variants and gives them nonsense weights; u is estimated
    name = cl.CustomComparison(output_column_name="name", comparison_levels=[
        cll.NullLevel("name_full"),
        m_fixed(cll.ExactMatchLevel("name_full", term_frequency_adjustments=True), NAME_M["exact"]),
        m_fixed(cll.ExactMatchLevel("name_sorted"), NAME_M["order"]),
        m_fixed(cll.ExactMatchLevel("name_compact"), NAME_M["transliteration"]),
        m_fixed(cll.JaroWinklerLevel("name_full", 0.92), NAME_M["similar"]),
        # "F. Yang" ~ "Fan Yang", but not "Huazhe Xu" ~ "Haotian Xu": one side must be an initial
        m_fixed(cll.CustomLevel("fi_last_l = fi_last_r AND (length(split_part(name_full_l, ' ', 1)) = 1 "
                                "OR length(split_part(name_full_r, ' ', 1)) = 1)", "initials compatible"),
                NAME_M["initials"]),
        m_fixed(cll.ElseLevel(), NAME_M["else"]),
    ])
    source = cl.CustomComparison(output_column_name="source", comparison_levels=[
        same_id if p.same_id_bf is None else same_id.configure(
            m_probability=0.9, u_probability=0.9 / p.same_id_bf, fix_m_probability=True, fix_u_probability=True),
        cll.CustomLevel("namespace_l = namespace_r AND namespace_l <> 'name'", "other id, same namespace"),
        cll.ElseLevel(),
    ])
    coauthors = cl.CustomComparison(output_column_name="coauthors", comparison_levels=[
        cll.NullLevel("coauthors"),
        cll.ArrayIntersectLevel("coauthors", 2),
        cll.ArrayIntersectLevel("coauthors", 1),
        cll.ElseLevel(),
    ])
    # institution and time together: two different institutions in the same or the next year are
    # evidence of two people (or a dual affiliation), years apart they may be a move
    institution = cl.CustomComparison(output_column_name="institution", comparison_levels=[
        cll.NullLevel("countries"),
        cll.ArrayIntersectLevel("institutions", 1),
        cll.CustomLevel("len(list_intersect(countries_l, countries_r)) >= 1 AND abs(year_l - year_r) <= 1",
                        "same country, same time"),
        cll.ArrayIntersectLevel("countries", 1),
        cll.CustomLevel("abs(year_l - year_r) <= 1", "elsewhere at the same time"),
        cll.ElseLevel(),
    ])
    domain = cl.CustomComparison(output_column_name="domain", comparison_levels=[
        cll.NullLevel("domains"),
        cll.ArrayIntersectLevel("domains", 1),
        cll.ArrayIntersectLevel("org_domains", 1),
        cll.ElseLevel(),
    ])
    venue = cl.CustomComparison(output_column_name="venue", comparison_levels=[
        cll.NullLevel("venue"),
        cll.ExactMatchLevel("venue"),
        cll.ExactMatchLevel("field"),
        cll.ElseLevel(),
    ])
    year = cl.CustomComparison(output_column_name="year", comparison_levels=[
        cll.NullLevel("year"),
        cll.AbsoluteDifferenceLevel("year", 1),
        cll.AbsoluteDifferenceLevel("year", 3),
        cll.AbsoluteDifferenceLevel("year", 7),
        cll.ElseLevel(),
    ])
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[name, source, coauthors, institution, domain, venue, year],
        blocking_rules_to_generate_predictions=[block_on("name_full"), block_on("name_sorted"),
                                                block_on("name_compact"), block_on("source_id"),
                                                block_on("fi_last", "inst1")],
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=False,
        max_iterations=12,
        em_convergence=0.001,
    )


def link(records: pd.DataFrame, p: PersonsParams, con: duckdb.DuckDBPyConnection | None = None) -> dict:
    """Train the model on ``records``, predict links at or above ``p.threshold``, cluster.

    Returns {"clusters": unique_id -> cluster_id, "links": the kept pairs (unique_id_l,
    unique_id_r, match_probability, evidence), "model": the trained splink settings as JSON,
    "seconds": per step, "pairs": pairs compared}."""
    from splink import DuckDBAPI, Linker, block_on

    for name in [n for n in logging.root.manager.loggerDict if n.startswith("splink")] + ["splink"]:
        logging.getLogger(name).setLevel(logging.ERROR)  # its training narrative; the results are returned
    seconds: dict[str, float] = {}
    t = time.perf_counter()
    con = con or duckdb.connect()
    con.execute("SET lambda_syntax = 'ENABLE_SINGLE_ARROW'")  # splink 4 writes arrow lambdas
    con.execute("SET enable_progress_bar = false")
    frame = records[list(LINK_COLUMNS)]
    linker = Linker(frame, _settings(p), DuckDBAPI(connection=con))
    linker.training.estimate_probability_two_random_records_match(
        ["l.source_id = r.source_id AND l.namespace <> 'name'"], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=p.max_pairs_u, seed=p.seed)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("name_full"))
    # the name comparison is trained on pairs of one surname, venue and year (a display name is one
    # per source id, so pairs of one id never show a name variant)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("surname", "given_initial", "venue", "year"))
    seconds["train"] = time.perf_counter() - t
    t = time.perf_counter()
    pred = linker.inference.predict(threshold_match_probability=p.threshold)
    seconds["predict"] = time.perf_counter() - t
    links = pred.as_pandas_dataframe()
    t = time.perf_counter()
    clusters = cluster(frame["unique_id"].to_numpy(), links, p.corroboration_bf)
    seconds["cluster"] = time.perf_counter() - t
    bf = [c for c in links.columns if c.startswith("bf_") and not c.startswith("bf_tf_adj")]
    links["evidence"] = _evidence(links, bf)
    links = links[["unique_id_l", "unique_id_r", "match_probability", "evidence"]]
    model = linker.misc.save_model_to_json(out_path=None) if hasattr(linker.misc, "save_model_to_json") else None
    return {"clusters": clusters, "links": links, "model": model, "seconds": seconds}


CORROBORATING = ("bf_coauthors", "bf_institution", "bf_domain")


def cluster(ids: np.ndarray, links: pd.DataFrame, corroboration_bf: float) -> pd.DataFrame:
    """Persons from the kept links (unique_id_l, unique_id_r, match_probability, bf_*): connected
    components of the *corroborated* links (a co-author, institution or e-mail domain comparison
    with a Bayes factor >= ``corroboration_bf``: more than name, id, venue and year); then every
    authorship left alone is attached, through its most probable uncorroborated link, to a person
    of several authorships. An authorship with nothing but a name and an id (no affiliation, no
    co-author in common) thus joins one person and never bridges two, which plain connected
    components let it do. Returns unique_id -> cluster_id."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    pos = pd.Series(np.arange(len(ids)), index=ids)
    n = len(ids)
    u = pos.reindex(links["unique_id_l"]).to_numpy() if len(links) else np.empty(0, dtype=int)
    v = pos.reindex(links["unique_id_r"]).to_numpy() if len(links) else np.empty(0, dtype=int)
    cols = [c for c in CORROBORATING if c in links.columns]
    corr = links[cols].max(axis=1).to_numpy() if cols and len(links) else np.zeros(len(links))
    strong = corr >= corroboration_bf
    graph = coo_matrix((np.ones(strong.sum()), (u[strong], v[strong])), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    size = np.bincount(label, minlength=n)
    weak = pd.DataFrame({"a": np.concatenate([u[~strong], v[~strong]]), "b": np.concatenate([v[~strong], u[~strong]]),
                         "p": np.tile(links["match_probability"].to_numpy()[~strong], 2) if len(links) else []})
    weak = weak[(size[label[weak["a"].to_numpy()]] == 1) & (size[label[weak["b"].to_numpy()]] > 1)]
    best = weak.sort_values(["p", "b"], ascending=[False, True]).drop_duplicates("a")
    label[best["a"].to_numpy()] = label[best["b"].to_numpy()]
    return pd.DataFrame({"unique_id": ids, "cluster_id": label})


def _evidence(links: pd.DataFrame, bf: list[str]) -> pd.Series:
    """Per link: the comparisons that speak for it, strongest first, with their Bayes factors
    ("source x52 coauthors x31 institution x6")."""
    if links.empty or not bf:
        return pd.Series([], dtype=object, index=links.index)
    vals = links[bf].to_numpy(dtype=float)
    names = [c[3:] for c in bf]
    out = []
    for row in vals:
        order = np.argsort(-row)
        out.append(" ".join(f"{names[k]} x{row[k]:.3g}" for k in order if row[k] > 1.0))
    return pd.Series(out, index=links.index)


def person_keys(records: pd.DataFrame, clusters: pd.DataFrame) -> pd.Series:
    """A readable, stable key per cluster: the source id holding most of the cluster's authorships
    (a stable id before a name key); where several clusters would take one source id (a split
    id), the one with most of its authorships keeps it and the others get ``#2``, ``#3``... So an
    id that is neither split nor merged keeps its source id as person key. Returns cluster_id ->
    person key."""
    r = records[["unique_id", "source_id", "namespace"]].merge(clusters, on="unique_id")
    counts = r.groupby(["cluster_id", "source_id", "namespace"]).size().rename("n").reset_index()
    counts["stable"] = counts["namespace"] != "name"
    best = counts.sort_values(["cluster_id", "stable", "n", "source_id"], ascending=[True, False, False, True]) \
        .drop_duplicates("cluster_id")
    size = r.groupby("cluster_id").size().rename("size")
    best = best.join(size, on="cluster_id").sort_values(["source_id", "n", "size", "cluster_id"],
                                                        ascending=[True, False, False, True])
    rank = best.groupby("source_id").cumcount() + 1
    key = best["source_id"].where(rank == 1, best["source_id"] + "#" + rank.astype(str))
    return pd.Series(key.to_numpy(), index=best["cluster_id"].to_numpy(), name="person_id")


def assign(records: pd.DataFrame, linked: dict) -> pd.DataFrame:
    """One row per authorship: work_id, author_position, researcher_id (source id), person_id,
    match_probability (its strongest kept link inside its person; NULL for a person of one
    authorship) and evidence (that link's comparisons)."""
    out = records[["unique_id", "work_id", "author_position", "source_id"]].merge(linked["clusters"], on="unique_id",
                                                                                    how="left")
    # a record splink did not return is its own person
    alone = out["cluster_id"].isna()
    out["cluster_id"] = out["cluster_id"].astype(str)
    out.loc[alone, "cluster_id"] = "_alone_" + out.loc[alone, "unique_id"].astype(str)
    clusters = out[["unique_id", "cluster_id"]]
    out["person_id"] = out["cluster_id"].map(person_keys(records, clusters))
    links = linked["links"]
    if len(links):
        cl = clusters.set_index("unique_id")["cluster_id"]
        lk = links.assign(c_l=links["unique_id_l"].map(cl), c_r=links["unique_id_r"].map(cl))
        lk = lk[lk["c_l"] == lk["c_r"]]
        both = pd.concat([lk.rename(columns={"unique_id_l": "unique_id"})[["unique_id", "match_probability", "evidence"]],
                          lk.rename(columns={"unique_id_r": "unique_id"})[["unique_id", "match_probability", "evidence"]]])
        best = both.sort_values("match_probability", ascending=False).drop_duplicates("unique_id")
        out = out.merge(best, on="unique_id", how="left")
    else:
        out["match_probability"] = np.nan
        out["evidence"] = None
    return out.rename(columns={"source_id": "researcher_id"})[
        ["work_id", "author_position", "researcher_id", "person_id", "match_probability", "evidence"]]
