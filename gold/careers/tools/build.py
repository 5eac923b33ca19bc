"""Turn the hand-written label file gold/careers/labels.txt into persons.csv, residence.csv,
moves.csv. This script only reformats the labeller's decisions; it decides nothing.
Format (one block per person):
  P <person> | <decidable yes/no/partial> | <same_person yes/merged> | <notes>
  R <year or y1-y2> <ISO3|UNDECIDABLE> <high|medium> <evidence>   (a range expands to the
                                                  person's observed years inside it)
  M <origin> <dest> <year_from> <year_to> <migration|return> <high|medium> [notes]
Checks: every observed year has exactly one residence row; moves join residence rows."""
import csv, sys, pandas as pd
d = pd.read_parquet("/tmp/gold_raw.parquet")
S = pd.read_csv("gold/careers/sample.csv").set_index("person")
obs = {p: sorted(set(g.year)) for p, g in d[d.person.isin(S.index)].groupby("person")}
nrec = d[d.person.isin(S.index)].groupby("person").size().to_dict()
P, R, M, errs = [], [], [], []
cur = None
for ln, line in enumerate(open("gold/careers/labels.txt", encoding="utf-8"), 1):
    line = line.rstrip("\n")
    if not line.strip() or line.lstrip().startswith("#"): continue
    t = line.strip()
    if t.startswith("P "):
        f = [x.strip() for x in t[2:].split("|")]
        cur = f[0]
        if cur not in S.index: errs.append(f"{ln}: unknown person {cur}"); continue
        ys = obs[cur]
        P.append(dict(person=cur, panel=S.loc[cur, "panel"], stratum=S.loc[cur, "stratum"],
                      split=S.loc[cur, "split"], first_year=ys[0], last_year=ys[-1],
                      n_records=nrec[cur], decidable=f[1], same_person=f[2],
                      notes=f[3] if len(f) > 3 else ""))
    elif t.startswith("R "):
        yr, cty, conf, *ev = t[2:].split(" ")
        y1, y2 = (yr.split("-") + [yr])[:2]
        ys = [y for y in obs[cur] if int(y1) <= y <= int(y2)]
        if not ys: errs.append(f"{ln}: {cur} no observed year in {yr}")
        for y in ys:
            R.append(dict(person=cur, year=y, country=cty, confidence=conf, evidence=" ".join(ev)))
    elif t.startswith("M "):
        o, de, yf, yt, kind, conf, *nt = t[2:].split(" ")
        M.append(dict(person=cur, origin=o, destination=de, year_from=int(yf), year_to=int(yt),
                      kind=kind, confidence=conf, notes=" ".join(nt)))
    else:
        errs.append(f"{ln}: cannot parse: {t}")
Rd = pd.DataFrame(R)
for p in P:
    got = sorted(Rd[Rd.person == p["person"]].year) if len(Rd) else []
    if got != obs[p["person"]]:
        errs.append(f"{p['person']}: residence years {got} != observed {obs[p['person']]}")
for m in M:
    r = Rd[Rd.person == m["person"]].set_index("year").country
    if r.get(m["year_from"]) != m["origin"] or r.get(m["year_to"]) != m["destination"]:
        errs.append(f"{m['person']}: move {m} does not match residence rows")
if len(set(x["person"] for x in P)) != len(P): errs.append("duplicate persons")
for e in errs: print("ERROR", e)
kw = dict(index=False, quoting=csv.QUOTE_MINIMAL, encoding="utf-8")
pd.DataFrame(P).to_csv("gold/careers/persons.csv", **kw)
Rd.to_csv("gold/careers/residence.csv", **kw)
pd.DataFrame(M, columns=["person", "origin", "destination", "year_from", "year_to", "kind",
                         "confidence", "notes"]).to_csv("gold/careers/moves.csv", **kw)
print(f"{len(P)} persons, {len(Rd)} residence rows, {len(M)} moves, {len(errs)} errors")
