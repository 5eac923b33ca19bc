"""Summary counts of the gold careers set (for README and the report)."""
import pandas as pd
pd.set_option("display.width", 200)
P = pd.read_csv("gold/careers/persons.csv"); R = pd.read_csv("gold/careers/residence.csv")
M = pd.read_csv("gold/careers/moves.csv").merge(P[["person", "panel", "split"]], on="person")
print(pd.crosstab([P.panel, P.stratum], P.split, margins=True).to_markdown())
print(); print(pd.crosstab([P.panel], [P.split, P.decidable], margins=True).to_markdown())
print(); print(pd.crosstab(P.panel, P.same_person, margins=True).to_markdown())
print(); print(pd.crosstab([M.panel], [M.split, M.kind], margins=True).to_markdown())
print(); print(pd.crosstab(M.split, M.confidence, margins=True).to_markdown())
print("\npersons with >=1 move:", M.person.nunique(), " labelled no-move (decidable yes, no moves):",
      ((P.decidable == "yes") & ~P.person.isin(M.person)).sum())
u = R.country == "UNDECIDABLE"
print("residence rows:", len(R), " UNDECIDABLE:", u.sum(), " high:", (R.confidence == "high").sum(),
      " medium decided:", ((R.confidence == "medium") & ~u).sum())
print("notes mentioning visit:", P.notes.str.contains("visit", case=False).sum(),
      " dual:", P.notes.str.contains("dual", case=False).sum(),
      " shuffled:", P.notes.str.contains("shuffl", case=False).sum())
