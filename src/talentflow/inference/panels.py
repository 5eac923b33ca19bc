"""Named panels of researchers (identity namespaces) and the parsing of a --panel value.

Here, below both inference and metrics, so that the sensitivity sweep (inference) and the
metrics read the same definition without importing each other."""

from __future__ import annotations

# Named panels of researchers: identity namespaces of the paperlists venues with stable ids.
PANELS = {
    "ieee": ("ieee",),  # ICRA, IROS (IEEE robotics)
    "acl": ("acl",),  # ACL, NAACL, COLING (ACL Anthology ids)
    "openreview": ("openreview",),  # CoRL, COLM, WWW, AISTATS... (OpenReview ids)
    "paperlists": ("ieee", "acl", "openreview", "name"),
}


def parse_panel(panel: str | tuple[str, ...] | None) -> tuple[str, ...] | None:
    """'ieee' / 'ieee,acl' / a namespace such as 'csv' -> namespaces; None or 'all' -> every researcher."""
    if panel is None:
        return None
    items = (panel,) if isinstance(panel, str) else tuple(panel)
    out: list[str] = []
    for item in (x.strip() for it in items for x in it.split(",")):
        if not item or item == "all":
            continue
        out.extend(PANELS.get(item, (item,)))
    return tuple(dict.fromkeys(out)) or None
