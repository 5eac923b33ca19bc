"""Join the hand labels (gold/places/labels.txt, one line per sample row) onto the drawn
sample (gold/places/sample.csv) and write gold/places/places.csv. Pure bookkeeping: every
label value comes from labels.txt, which was typed by the labeller."""
import csv

import pandas as pd

s = pd.read_csv("gold/places/sample.csv", dtype=str, keep_default_na=False)
lab = {}
for line in open("gold/places/labels.txt", encoding="utf-8"):
    if not line.strip() or line.startswith("#"):
        continue
    i, country, city, conf, notes = line.rstrip("\n").split("|", 4)
    assert int(i) not in lab, i
    assert conf in ("high", "medium"), line
    lab[int(i)] = (country, city, conf, notes)
rows = []
for i, r in s.iterrows():
    if i not in lab:
        continue
    country, city, conf, notes = lab[i]
    rows.append(dict(affiliation=r.affiliation, aff_domain=r.aff_domain, venue_year=r.venue_year,
                     upstream_country=r.upstream_country, stratum=r.stratum, split=r.split,
                     country=country, city=city, confidence=conf, notes=notes))
out = pd.DataFrame(rows)
out.to_csv("gold/places/places.csv", index=False, quoting=csv.QUOTE_MINIMAL)
print(len(out), "labelled of", len(s))
print(out.groupby(["stratum", "split"]).size().unstack(fill_value=0))
