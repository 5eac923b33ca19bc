"""Data checks derived from the schema: keys unique, required columns filled, accepted values, references."""

from __future__ import annotations

import pandas as pd

from talentflow.schema import Schema


def check_sql(schema: Schema) -> list[tuple[str, str, str, str]]:
    """(table, column, check, SQL counting the failing rows) for every declared constraint."""
    out = []
    for t in schema:
        if t.primary_key:
            keys = ", ".join(t.primary_key)
            out.append((t.name, keys, "unique",
                        f"SELECT count(*) FROM (SELECT {keys} FROM {t.name} GROUP BY {keys} HAVING count(*) > 1)"))
        for c in t.columns:
            if not c.nullable or c.name in t.primary_key:
                out.append((t.name, c.name, "not_null", f"SELECT count(*) FROM {t.name} WHERE {c.name} IS NULL"))
            if c.accepted:
                values = ", ".join("'" + v.replace("'", "''") + "'" for v in c.accepted)
                out.append((t.name, c.name, "accepted_values",
                            f"SELECT count(*) FROM {t.name} WHERE {c.name} IS NOT NULL AND {c.name} NOT IN ({values})"))
            if c.references:
                rt, rc = c.references.split(".")
                out.append((t.name, c.name, f"references {c.references}",
                            f"SELECT count(*) FROM {t.name} x WHERE x.{c.name} IS NOT NULL "
                            f"AND NOT EXISTS (SELECT 1 FROM {rt} r WHERE r.{rc} = x.{c.name})"))
    return out


def run_checks(con, schema: Schema) -> pd.DataFrame:
    """Run every check; one row per check with the number of failing rows."""
    rows = []
    for table, column, check, sql in check_sql(schema):
        failing = int(con.execute(sql).fetchall()[0][0])
        rows.append({"table": table, "column": column, "check": check, "failing": failing})
    return pd.DataFrame(rows)
