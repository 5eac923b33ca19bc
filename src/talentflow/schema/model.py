"""The vocabulary of the schema: a table is a tuple of columns, declared once.

DDL (``Table.ddl``), data checks (``talentflow.store.checks``) and the schema document
(``talentflow.schema.docs``) are all derived from these declarations.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # a DuckDB type: VARCHAR, INTEGER, BIGINT, DOUBLE, BOOLEAN, TIMESTAMP
    description: str
    nullable: bool = True
    unit: str | None = None
    accepted: tuple[str, ...] | None = None  # accepted values, where the column is an enumeration
    references: str | None = None  # "table.column" this column points at (checked, not enforced)


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    layer: str = "core"  # core | derived
    enforce_key: bool = True  # False: the key is checked by talentflow.store.checks, not indexed (large fact tables)

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"table {self.name} declares a column twice")
        missing = set(self.primary_key) - set(names)
        if missing:
            raise ValueError(f"table {self.name}: primary key names unknown columns {sorted(missing)}")

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no column {name!r}")

    def ddl(self) -> str:
        lines = []
        for col in self.columns:
            null = "" if col.nullable and col.name not in self.primary_key else " NOT NULL"
            lines.append(f"    {col.name} {col.type}{null}")
        if self.primary_key and self.enforce_key:
            lines.append(f"    PRIMARY KEY ({', '.join(self.primary_key)})")
        body = ",\n".join(lines)
        return f"CREATE TABLE IF NOT EXISTS {self.name} (\n{body}\n);"


@dataclass(frozen=True)
class Schema:
    tables: tuple[Table, ...] = field(default_factory=tuple)

    def __getitem__(self, name: str) -> Table:
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(f"no table {name!r} in the schema")

    def __iter__(self):
        return iter(self.tables)

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.tables]
