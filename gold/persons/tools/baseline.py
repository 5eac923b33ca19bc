"""B-cubed precision/recall/F1 of the source-id baseline (each source id = one person; name-only
ids `name:<normalized name>` count as they are) against the gold person labels, per split.
UNDECIDABLE authorships are excluded. Clusters are compared within each block (a gold person
never spans blocks). Micro-averaged over authorships."""
import pandas as pd

A = pd.read_csv("gold/persons/authorships.csv")
B = pd.read_csv("gold/persons/blocks.csv")
A = A[A.person != "UNDECIDABLE"].merge(B[["block", "split", "stratum"]], on="block")


def b3(df):
    P = R = 0.0
    for _, g in df.groupby("block"):
        for _, r in g.iterrows():
            pred = g[g.source_id == r.source_id]; gold = g[g.person == r.person]
            inter = ((g.source_id == r.source_id) & (g.person == r.person)).sum()
            P += inter / len(pred); R += inter / len(gold)
    n = len(df); p, r = P / n, R / n
    return n, p, r, 2 * p * r / (p + r)


out = []
for name, df in [("dev", A[A.split == "dev"]), ("test", A[A.split == "test"]), ("all", A)]:
    n, p, r, f = b3(df); out.append((name, n, p, r, f))
print("split  n_authorships  B3_precision  B3_recall  B3_F1")
for name, n, p, r, f in out:
    print(f"{name:5s} {n:14d} {p:13.3f} {r:10.3f} {f:7.3f}")
print("\nsensitivity: high-confidence authorships only")
H = A[A.confidence == "high"]
for name, df in [("dev", H[H.split == "dev"]), ("test", H[H.split == "test"])]:
    n, p, r, f = b3(df); print(f"{name:5s} {n:14d} {p:13.3f} {r:10.3f} {f:7.3f}")
print("\nby stratum (all splits):")
for s, df in A.groupby("stratum"):
    n, p, r, f = b3(df); print(f"{s:18s} n={n:4d} P={p:.3f} R={r:.3f} F1={f:.3f}")
