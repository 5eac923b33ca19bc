"""Write ecomplexity_oracle.json: the Growth Lab's ``ecomplexity`` package run once on a real matrix.

    pip install ecomplexity==0.5.3        # not a talentflow dependency; only for this script
    python tests/specialization/data/make_oracle.py --db /tmp/full.duckdb

The matrix is the fractional output of the 25 largest countries in the 13 taxonomy subfields on the
full paperlists mirror (talentflow's own counting, rounded to 3 decimals; the matrix itself is
stored in the fixture, so the test needs neither the warehouse nor ecomplexity). The oracle values
(RCA, M, diversity, ubiquity, ECI, PCI, proximity, density) are ecomplexity's, computed
independently of talentflow's code from the stored matrix.
"""

from __future__ import annotations

import argparse
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).with_name("ecomplexity_oracle.json")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    args = ap.parse_args()
    import ecomplexity
    from ecomplexity import ecomplexity as ecx
    from ecomplexity import proximity as ecx_proximity

    from talentflow.metrics.specialization import SpecializationParams
    from talentflow.specialization_api import specialization

    res = specialization(args.db, SpecializationParams(level="country", bootstrap=0, min_cell=1), store=False)
    cells = res.cells
    top = cells.groupby("region")["region_total"].first().sort_values(ascending=False).head(25).index
    mat = cells[cells["region"].isin(top)].pivot_table(index="region", columns="field", values="count", fill_value=0.0)
    mat = mat.round(3)
    regions, fields = list(mat.index), list(mat.columns)
    long = mat.stack().rename("val").reset_index().rename(columns={"region": "loc", "field": "prod"})
    long["time"] = 2000
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = ecx(long, {"time": "time", "loc": "loc", "prod": "prod", "val": "val"}, verbose=False,
                  check_logsupermodularity=False)
        prox = ecx_proximity(long, {"time": "time", "loc": "loc", "prod": "prod", "val": "val"})

    def grid(col):
        return out.pivot_table(index="loc", columns="prod", values=col).reindex(index=regions, columns=fields).to_numpy().tolist()

    first = out.groupby("loc").first().reindex(regions)
    firstp = out.groupby("prod").first().reindex(fields)
    pm = prox.pivot_table(index="prod_1", columns="prod_2", values="proximity").reindex(index=fields, columns=fields)
    fixture = {
        "provenance": (
            f"ecomplexity {getattr(ecomplexity, '__version__', '0.5.3')} (Growth Lab, PyPI) with pandas {pd.__version__}, "
            f"numpy {np.__version__}, run once by tests/specialization/data/make_oracle.py on the country x subfield "
            "matrix of the full paperlists mirror (fractional counting, 25 largest countries); presence_test='rca', "
            "threshold 1, discrete symmetric proximity, density over the full proximity matrix."),
        "regions": regions,
        "fields": fields,
        "counts": mat.to_numpy().tolist(),
        "rca": grid("rca"),
        "mcp": grid("mcp"),
        "density": grid("density"),
        "diversity": first["diversity"].tolist(),
        "ubiquity": firstp["ubiquity"].tolist(),
        "eci": first["eci"].tolist(),
        "pci": firstp["pci"].tolist(),
        "proximity": np.nan_to_num(pm.to_numpy(), nan=1.0).tolist(),
    }
    OUT.write_text(json.dumps(fixture, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
