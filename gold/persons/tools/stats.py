"""Counts for the README: strata x split (blocks / authorships / persons / undecidable),
confidence, and the source-id baseline B3 (imported from baseline.py logic)."""
import pandas as pd

A = pd.read_csv("gold/persons/authorships.csv")
B = pd.read_csv("gold/persons/blocks.csv")
A = A.merge(B[["block", "stratum", "split"]], on="block")
A["undec"] = A.person == "UNDECIDABLE"

def tab(df):
    g = df.groupby(["stratum", "split"])
    t = pd.DataFrame({
        "blocks": g.block.nunique(),
        "authorships": g.size(),
        "persons": g.apply(lambda x: x[~x.undec].person.nunique()),
        "undecidable": g.undec.sum(),
        "medium": g.apply(lambda x: (x.confidence == "medium").sum()),
    })
    return t

t = tab(A)
print(t.to_markdown())
tot = A.groupby("split").agg(blocks=("block", "nunique"), authorships=("block", "size"), undecidable=("undec", "sum"))
tot["persons"] = A[~A.undec].groupby("split").person.nunique()
print()
print(tot.to_markdown())
print("\nall:", A.block.nunique(), "blocks,", len(A), "authorships,", A[~A.undec].person.nunique(), "persons,",
      int(A.undec.sum()), "undecidable,", int((A.confidence == "high").sum()), "high,", int((A.confidence == "medium").sum()), "medium")
print("labels citing labeller knowledge:", int(A.notes.fillna("").str.contains("labeller knowledge").sum()), "authorships")
print("namespaces:", A.source_id.str.split(":").str[0].value_counts().to_dict())
print("blocks with >1 person:", int((B.n_persons > 1).sum()), "; sampled blocks:", int(B.notes.str.contains("sampled").sum()))
