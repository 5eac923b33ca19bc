"""What every source produces: a staged batch of rows for the canonical tables, plus rejects.

A source has two steps:
- ``fetch``: I/O. Finds the files (mirror, cache, download) and yields them as ``RawFile``.
- ``stage``: pure. Turns the bytes of one file into a ``Staged`` batch: works, researchers,
  authorships, *raw* affiliations (names and country strings as given) and rejects.
Resolution of raw affiliations into institutions and ISO3 countries is a separate pure step
(``talentflow.resolve.affiliations``) shared by all sources.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Protocol

MAX_RAW = 500


def printable(value: str) -> str:
    """``value`` with lone UTF-16 surrogates (which no UTF-8 store accepts) written as ``\\udXXX`` escapes."""
    return value.encode("utf-8", "backslashreplace").decode("utf-8")


def _bad(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def may_hold_surrogate(json_text: bytes | str) -> bool:
    """Whether JSON text has a \\uD800-\\uDFFF escape (the only way a lone surrogate gets into
    parsed strings: raw surrogate bytes are invalid UTF-8); a fast test before ``invalid_text``."""
    data = json_text if isinstance(json_text, bytes) else json_text.encode("utf-8", "surrogatepass")
    return _SURROGATE_ESCAPE.search(data) is not None


def invalid_text(obj) -> tuple[str, str] | None:
    """(path, value) of the first string in a parsed JSON value (keys included) that is not valid
    Unicode, i.e. holds a lone surrogate such as ``"\\ud800"``; None when all are valid.
    Walks with an explicit stack, so nesting depth cannot exhaust the interpreter's."""
    stack = [("", obj)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if _bad(value):
                return path or "*", value
        elif isinstance(value, dict):
            for k, v in value.items():
                sub = f"{path}.{k}" if path else str(k)
                if isinstance(k, str) and _bad(k):
                    return printable(sub), k
                stack.append((printable(sub), v))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", v) for i, v in enumerate(value))
    return None


@dataclass(frozen=True)
class RawFile:
    """One input file located on disk."""

    source: str
    file: str  # source-relative name, e.g. "icra/icra2015.json"
    path: Path
    upstream: str
    version: str | None
    meta: dict = field(default_factory=dict, hash=False, compare=False)  # source-specific context


@dataclass
class Reject:
    file: str
    locator: str
    field: str
    reason: str
    raw_value: object = None
    severity: str = "record"  # record | field | file

    def row(self) -> dict:
        raw = self.raw_value
        try:
            text = None if raw is None else (raw if isinstance(raw, str) else repr(raw))
        except RecursionError:
            text = f"<a {type(raw).__name__} nested too deeply to print>"
        if text is not None:
            text = printable(text[: MAX_RAW * 2])
        return {
            "file": self.file, "locator": self.locator, "field": self.field, "reason": self.reason,
            "raw_value": None if text is None else text[:MAX_RAW], "severity": self.severity,
        }


@dataclass
class Staged:
    """Rows staged from one file. Each list holds plain dicts keyed by column name."""

    file: str
    n_records: int = 0
    works: list[dict] = field(default_factory=list)
    researchers: list[dict] = field(default_factory=list)
    authorships: list[dict] = field(default_factory=list)
    affiliations: list[dict] = field(default_factory=list)  # raw affiliation evidence, see RAW_AFFILIATION
    spells: list[dict] = field(default_factory=list)  # raw career spells (ORCID), see schema.orcid.CAREER_SPELLS
    rejects: list[Reject] = field(default_factory=list)

    def reject(self, locator: str, field_: str, reason: str, raw=None, severity: str = "record") -> None:
        self.rejects.append(Reject(self.file, locator, field_, reason, raw, severity))


# Columns of a raw affiliation row (what a source knows before resolution).
RAW_AFFILIATION = (
    "researcher_id",  # talentflow researcher key
    "work_id",
    "year",
    "aff_seq",  # 0-based index among this author's affiliations on this work
    "weight",  # 1 / number of affiliations of this author on this work
    "stage",  # position / career stage, or None
    "institution",  # institution name as given (normalized by the source where it does so), or None
    "country",  # country as given (any spelling), or None
    "address",  # free-text affiliation (postal address), or None
    "domain",  # e-mail / web domain, or None
    "locator",  # where in the file, for rejects
    "org_type",  # organization type as given (CSV), or None
    "city",  # city as given, or None
)


class Source(Protocol):
    name: str

    def fetch(self) -> Iterator[RawFile]: ...

    def stage(self, raw: RawFile, data: bytes) -> Staged: ...
