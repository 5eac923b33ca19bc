"""Pick the re-labelling audit sample: 2 blocks per stratum from the labelled queue
(seed 20261204, q150 excluded). The labeller re-reads them with show.py without looking at
labels.txt, writes audit_labels.txt in the same format, and audit_compare.py scores agreement."""
import random, pandas as pd, pathlib
q = pd.read_csv(pathlib.Path(__file__).with_name("queue.csv"))
q = q[q.q != 150]
rng = random.Random(20261204)
pick = []
for s in sorted(q.stratum.unique()):
    qs = sorted(q[q.stratum == s].q.tolist())
    pick += sorted(rng.sample(qs, 2))
print(" ".join(map(str, pick)))
