"""Extract unique (affiliation string, aff_domain) pairs from the paperlists mirror.

Reads /work/shared/data/paperlists/<venue>/<venue><year>.json.gz (read-only) and writes
one row per (aff, aff_domain) pair with the upstream country (aff_country_unique mapped
through aff_country_unique_index for that author), the first venue_year where seen and
the number of author-paper rows. Output goes OUTSIDE the repo (default /tmp), because the
raw data must not be copied into the repository.
"""
import collections
import glob
import gzip
import json
import os
import re
import sys

ROOT = "/work/shared/data/paperlists"
OUT = sys.argv[1] if len(sys.argv) > 1 else "/tmp/places_pairs.tsv"


def split(s):
    if s is None:
        return []
    return [x.strip() for x in str(s).split(";")]


def main():
    agg = {}
    for f in sorted(glob.glob(f"{ROOT}/*/*.json.gz")):
        vy = os.path.basename(f)[: -len(".json.gz")]
        for r in json.load(gzip.open(f)):
            authors = split(r.get("author"))
            affs = split(r.get("aff"))
            doms = split(r.get("aff_domain"))
            uidx = split(r.get("aff_unique_index"))
            cuniq = split(r.get("aff_country_unique"))
            cidx = split(r.get("aff_country_unique_index"))
            unorm = split(r.get("aff_unique_norm"))
            n = len(affs)
            # IEEE venues: authors doubled, aff list usually not; align on aff list.
            for i in range(n):
                a = affs[i]
                if not a:
                    continue
                d = doms[i] if i < len(doms) else ""
                # upstream country for this author
                if len(cidx) == len(uidx) and len(cidx) >= n:
                    ci = cidx[i]
                elif i < len(uidx) and len(cidx) == len(unorm):
                    ci = "+".join(cidx[int(u)] if u.isdigit() and int(u) < len(cidx) else "" for u in uidx[i].split("+"))
                else:
                    ci = cidx[i] if i < len(cidx) else ""
                cs = []
                for c in ci.split("+"):
                    if c.isdigit() and int(c) < len(cuniq) and cuniq[int(c)]:
                        if cuniq[int(c)] not in cs:
                            cs.append(cuniq[int(c)])
                up = "+".join(cs)
                key = (a, d)
                if key not in agg:
                    agg[key] = [vy, up, 0, collections.Counter()]
                agg[key][2] += 1
                agg[key][3][up] += 1
    with open(OUT, "w") as o:
        o.write("affiliation\taff_domain\tvenue_year\tupstream_country\tn_rows\n")
        for (a, d), (vy, up, k, cc) in agg.items():
            up = cc.most_common(1)[0][0]
            a2 = re.sub(r"[\t\n]", " ", a)
            o.write(f"{a2}\t{d}\t{vy}\t{up}\t{k}\n")
    print(len(agg), "pairs ->", OUT)


if __name__ == "__main__":
    main()
