"""Extract unique (affiliation string, aff_domain) pairs from the paperlists mirror.

Reads /work/shared/data/paperlists/<venue>/<venue><year>.json.gz (read-only) and writes one
row per (aff, aff_domain) pair with the upstream country, the first venue_year where seen and
the number of author-paper rows. Output goes OUTSIDE the repo (default /tmp/places_pairs.tsv):
the raw data must not be copied into the repository.

How upstream's per-author fields line up (checked on records, e.g. corl2021 'Jagiellonian',
3dv2025, colm2025, acl2022 Huawei/AARC):
- `aff` and `aff_domain` have one entry per author position (IEEE venues: authors doubled,
  affiliations not, so we iterate over the `aff` list);
- `aff_unique_index` has one entry per author with a NON-EMPTY aff;
- `aff_unique_index` has one entry per author, either over all aff positions or over the
  non-empty ones only (both occur); in IEEE records the aff list can be padded with author
  names after the real affiliations and the index then covers the leading entries only;
- `aff_country_unique_index` has one entry per author with at least one NON-EMPTY country,
  so authors whose affiliations got no country are skipped and the list is shorter.
The last one cannot be aligned directly; `upstream_country` aligns it by enumerating which
authors were skipped and keeping the alignments under which every unique affiliation maps to
one country across the paper (and a skipped author's affiliations map to none). If the
consistent alignments disagree for an author, the value is 'AMBIGUOUS'.

`upstream_country_v1` is the first, naive reading (country entry i = author i, or through
the unique index when the lengths matched). It is WRONG where authors were skipped, and is
kept only because sample.py drew the 'upstream_suspect' stratum with it; do not use it as
the baseline.
"""
import collections
import glob
import gzip
import itertools
import json
import os
import re
import sys

ROOT = "/work/shared/data/paperlists"
OUT = sys.argv[1] if len(sys.argv) > 1 else "/tmp/places_pairs.tsv"
MAX_COMB = 20000


def split(s):
    if s is None:
        return []
    return [x.strip() for x in str(s).split(";")]


def names(ci, cuniq):
    cs = []
    for c in ci.split("+"):
        if c.isdigit() and int(c) < len(cuniq) and cuniq[int(c)] and cuniq[int(c)] not in cs:
            cs.append(cuniq[int(c)])
    return "+".join(cs)


def v1_country(i, n, uidx, cidx, unorm, cuniq):
    if len(cidx) == len(uidx) and len(cidx) >= n:
        ci = cidx[i]
    elif i < len(uidx) and len(cidx) == len(unorm):
        ci = "+".join(cidx[int(u)] if u.isdigit() and int(u) < len(cidx) else "" for u in uidx[i].split("+"))
    else:
        ci = cidx[i] if i < len(cidx) else ""
    return names(ci, cuniq)


def aligned_countries(auth_u, cidx, cuniq):
    """auth_u: list of unique-index component lists, one per author with a non-empty aff.
    Returns one upstream-country string per such author ('' = none, 'AMBIGUOUS')."""
    m, k = len(auth_u), len(cidx)
    if k > m:
        return ["AMBIGUOUS"] * m
    cc = [c.split("+") for c in cidx]
    if k == m:  # nobody skipped: entry j is author j (countries are per author: the same
        # unique affiliation can carry two countries in one paper, e.g. Microsoft AIT Haifa
        # and Microsoft Research, so no consistency check here)
        return [names(c, cuniq) for c in cidx]
    nskip = m - k
    answers = [set() for _ in range(m)]
    ncomb = 0
    for skip in itertools.combinations(range(m), nskip):
        ncomb += 1
        if ncomb > MAX_COMB:
            return ["AMBIGUOUS"] * m
        sk = set(skip)
        amap, ok, j, assign = {}, True, 0, [None] * m
        for a in range(m):
            if a in sk:
                continue
            assign[a] = cc[j]
            j += 1
            if len(assign[a]) == len(auth_u[a]):
                for u, c in zip(auth_u[a], assign[a]):
                    if amap.setdefault(u, c) != c:
                        ok = False
            elif len(assign[a]) > len(auth_u[a]):
                ok = False
        if ok:
            for a in sk:  # a skipped author's affiliations have no country
                if any(u in amap for u in auth_u[a]):
                    ok = False
        if ok:
            for a in range(m):
                if assign[a] is not None and len(assign[a]) < len(auth_u[a]):
                    vals = [amap[u] for u in auth_u[a] if u in amap]
                    if any(v not in assign[a] for v in vals):
                        ok = False
        if not ok:
            continue
        for a in range(m):
            answers[a].add("" if assign[a] is None else names("+".join(assign[a]), cuniq))
    return [next(iter(s)) if len(s) == 1 else "AMBIGUOUS" for s in answers]


def main():
    agg = {}
    for f in sorted(glob.glob(f"{ROOT}/*/*.json.gz")):
        vy = os.path.basename(f)[: -len(".json.gz")]
        for r in json.load(gzip.open(f)):
            affs = split(r.get("aff"))
            doms = split(r.get("aff_domain"))
            uidx = split(r.get("aff_unique_index"))
            cuniq = split(r.get("aff_country_unique"))
            cidx_raw = split(r.get("aff_country_unique_index"))
            cidx = [] if cidx_raw == [""] else cidx_raw
            unorm = split(r.get("aff_unique_norm"))
            n = len(affs)
            nonempty = [i for i in range(n) if affs[i]]
            if len(uidx) == n:  # unique index also covers authors with an empty aff
                authors = list(range(n))
            elif len(uidx) == len(nonempty):  # ... or skips them
                authors = nonempty
            elif 0 < len(uidx) < n and all(affs[i] for i in range(len(uidx))):
                # IEEE records: authors doubled and the aff list padded with author names
                # after the real affiliations; the unique index covers the leading ones
                authors = list(range(len(uidx)))
            else:
                authors = None
            if authors is None:
                fixed, pos = None, {}
            else:
                auth_u = [uidx[k].split("+") for k in range(len(authors))]
                fixed = aligned_countries(auth_u, cidx, cuniq)
                pos = {i: k for k, i in enumerate(authors)}
            for i in nonempty:
                a = affs[i]
                d = doms[i] if i < len(doms) else ""
                up = fixed[pos[i]] if fixed is not None and i in pos else "AMBIGUOUS"
                v1 = v1_country(i, n, uidx, cidx_raw, unorm, cuniq)
                key = (a, d)
                if key not in agg:
                    agg[key] = [vy, 0, collections.Counter(), collections.Counter()]
                agg[key][1] += 1
                agg[key][2][up] += 1
                agg[key][3][v1] += 1
    with open(OUT, "w") as o:
        o.write("affiliation\taff_domain\tvenue_year\tupstream_country\tupstream_country_v1\tn_rows\n")
        for (a, d), (vy, k, cc, c1) in agg.items():
            a2 = re.sub(r"[\t\n]", " ", a)
            good = [(v, c) for v, c in cc.most_common() if v != "AMBIGUOUS"]
            up = good[0][0] if good else "AMBIGUOUS"  # most common unambiguous reading
            o.write(f"{a2}\t{d}\t{vy}\t{up}\t{c1.most_common(1)[0][0]}\t{k}\n")
    print(len(agg), "pairs ->", OUT)


if __name__ == "__main__":
    main()
