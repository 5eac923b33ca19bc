"""Upstream-country baseline: how often paperlists' aff_country_unique agrees with the hand
label in gold/places/places.csv, per split (and per stratum).

Rows labelled UNDECIDABLE are excluded. The label is a '+'-joined list of ISO3 codes, one per
located component of the string, UNK for a component whose site cannot be decided.
- set match: every located label country is in the upstream set, and the upstream set has no
  extra country unless the label has an UNK component (which could be anywhere);
- first match: first label country == first upstream country (rows whose first label
  component is UNK are excluded from this one);
- an empty or 'Unknown' upstream country counts as a miss (it is reported separately too);
- rows whose upstream country could not be read unambiguously (AMBIGUOUS) are excluded.
Also printed: the same set match with HKG/TWN/MAC folded into CHN, to separate upstream's
known Hong Kong/Taiwan/Macau coding from its other errors.

The matching rules (and the upstream name -> ISO3 reading, talentflow's ``to_iso3``) are
``talentflow.validation.places``' ``set_match``, ``first_match`` and ``upstream_codes``, shared
with ``talentflow gold places``, which scores talentflow's own resolution beside this baseline.
"""
import sys
from pathlib import Path

import pandas as pd

# the matching rules live in the package (talentflow gold places uses the same ones); this
# checkout's src/ first, so the tool scores with the rules of the code beside it
SRC = Path(__file__).resolve().parents[3] / "src"
if SRC.is_dir():
    sys.path.insert(0, str(SRC))
from talentflow.errors import TalentflowError  # noqa: E402
from talentflow.validation.places import first_match, set_match, upstream_codes  # noqa: E402


def upstream_list(s):
    try:
        return upstream_codes(s)
    except TalentflowError as exc:  # an upstream country name to_iso3 does not know
        sys.exit(str(exc))


def score(r):
    up = upstream_list(r.upstream_country)
    return pd.Series(dict(set_ok=set_match(r.country, up), first_ok=first_match(r.country, up), up_empty=not up))


def main():
    d = pd.read_csv("gold/places/places.csv", dtype=str, keep_default_na=False)
    und = d.country == "UNDECIDABLE"
    amb = d.upstream_country == "AMBIGUOUS"
    e = d[~und & ~amb].copy()
    e = e.join(e.apply(score, axis=1))
    print("rows:", len(d), " UNDECIDABLE:", int(und.sum()),
          " upstream AMBIGUOUS (alignment, see extract_pairs.py):", int((amb & ~und).sum()), " scored:", len(e))
    print("UNDECIDABLE rows where upstream still gives a country:",
          int((und & ~amb & d.upstream_country.map(lambda u: u != "AMBIGUOUS" and bool(upstream_list(u)))).sum()), "of", int((und & ~amb).sum()))
    for name, g in [("dev", e[e.split == "dev"]), ("test", e[e.split == "test"]), ("all", e)]:
        f = g[g.first_ok.notna()]
        print(f"{name:5s} n={len(g):3d}  set-match {g.set_ok.mean():.3f} ({int(g.set_ok.sum())}/{len(g)})"
              f"  first-country {f.first_ok.astype(bool).mean():.3f} ({int(f.first_ok.astype(bool).sum())}/{len(f)})"
              f"  upstream empty {int(g.up_empty.sum())}")
    f = e.copy()
    fold = lambda s: "+".join(dict.fromkeys("CHN" if c in ("HKG", "TWN", "MAC") else c for c in s.split("+")))
    f["country"] = f.country.map(fold)
    f = f.drop(columns=["set_ok", "first_ok", "up_empty"]).join(f.apply(score, axis=1))
    for name in ("dev", "test"):
        g = f[f.split == name]
        print(f"{name:5s} set-match with HKG/TWN/MAC folded into CHN: {g.set_ok.mean():.3f} ({int(g.set_ok.sum())}/{len(g)})")
    print("\nset-match by stratum x split")
    t = e.groupby(["stratum", "split"]).set_ok.agg(["mean", "sum", "count"]).round(3)
    print(t.to_string())
    print("\nsingle-component labels only (no '+'):")
    s = e[~e.country.str.contains(r"\+")]
    for name, g in [("dev", s[s.split == "dev"]), ("test", s[s.split == "test"])]:
        print(f"{name:5s} n={len(g):3d}  match {g.set_ok.mean():.3f}")
    if len(sys.argv) > 1 and sys.argv[1] == "--misses":
        m = e[~e.set_ok]
        for _, r in m.iterrows():
            print(f"[{r.split}] {r.affiliation[:70]!r} upstream={r.upstream_country!r} label={r.country}")


if __name__ == "__main__":
    main()
