"""Transparent keyword tagging: regular-expression rules per application domain.

The rules live in ``data/domain_rules.toml`` (versioned); a user file of the same shape replaces
the domains it names. ``tag_keywords`` is pure: a frame of works in, a long frame of
(work_id, domain, score, evidence) out, where ``evidence`` lists the matched words so every tag
can be checked by eye.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from talentflow.errors import ConfigError
from talentflow.tagging.params import TaggingParams

TAG_COLUMNS = ["work_id", "domain", "score", "evidence"]


@dataclass(frozen=True)
class DomainRule:
    domain: str
    label: str
    include: tuple[re.Pattern, ...]
    exclude: tuple[re.Pattern, ...]

    @property
    def any_include(self) -> re.Pattern:
        """All include patterns in one alternation: a cheap first test before the per-pattern pass."""
        return _any(self.include)


@dataclass(frozen=True)
class RuleSet:
    version: str
    rules: tuple[DomainRule, ...]

    @property
    def domains(self) -> tuple[str, ...]:
        return tuple(r.domain for r in self.rules)


_ANY: dict[tuple[str, ...], re.Pattern] = {}


def _any(patterns: tuple[re.Pattern, ...]) -> re.Pattern:
    key = tuple(p.pattern for p in patterns)
    if key not in _ANY:
        _ANY[key] = re.compile("|".join(f"(?:{p})" for p in key), re.IGNORECASE)
    return _ANY[key]


def _compile(patterns, where: str) -> tuple[re.Pattern, ...]:
    out = []
    for p in patterns:
        try:
            out.append(re.compile(p, re.IGNORECASE))
        except re.error as exc:
            raise ConfigError(f"{where}: pattern {p!r} is not a valid regular expression ({exc})") from exc
    return tuple(out)


def parse_rules(data: dict, where: str) -> dict[str, DomainRule]:
    rules = {}
    for domain, spec in data.get("domains", {}).items():
        if not isinstance(spec, dict) or not spec.get("include"):
            raise ConfigError(f"{where}: [domains.{domain}] needs a non-empty include list")
        rules[domain] = DomainRule(domain, spec.get("label", domain), _compile(spec["include"], f"{where} [domains.{domain}].include"),
                                   _compile(spec.get("exclude", ()), f"{where} [domains.{domain}].exclude"))
    return rules


def load_rules(override: str | Path | None = None) -> RuleSet:
    """The shipped rules, with the domains of ``override`` (a TOML file) replacing or adding to them."""
    text = (resources.files("talentflow.tagging") / "data" / "domain_rules.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    rules = parse_rules(data, "domain_rules.toml")
    version = str(data["version"])
    if override is not None:
        path = Path(override)
        try:
            user = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"domain rules override {path}: cannot read it as TOML ({exc})") from exc
        rules.update(parse_rules(user, str(path)))
        version = f"{version}+user-{user.get('version', path.stem)}"
    return RuleSet(version, tuple(rules.values()))


def _hits(rule: DomainRule, text: str) -> list[str]:
    """Distinct include patterns matching ``text`` outside every exclude match; the matched words."""
    if not text or rule.any_include.search(text) is None:
        return []
    vetoed = [m.span() for pat in rule.exclude for m in pat.finditer(text)]
    found: dict[str, str] = {}
    for pat in rule.include:
        for m in pat.finditer(text):
            a, b = m.span()
            if any(a < vb and va < b for va, vb in vetoed):
                continue
            found.setdefault(pat.pattern, m.group(0).strip().lower())
            break
    return list(dict.fromkeys(found.values()))


def tag_text(rules: RuleSet, title: str | None, abstract: str | None, params: TaggingParams) -> dict[str, tuple[float, str]]:
    """Domains of one text: domain -> (score, evidence). Score = distinct patterns matched."""
    out = {}
    title = title or ""
    abstract = (abstract or "") if params.text == "title_abstract" else ""
    for rule in rules.rules:
        in_title = _hits(rule, title)
        in_abstract = _hits(rule, abstract)
        words = list(dict.fromkeys(in_title + in_abstract))
        if in_title or len(in_abstract) >= params.abstract_min_hits:
            out[rule.domain] = (float(len(words)), ", ".join(words[:8]))
    return out


def tag_keywords(works: pd.DataFrame, rules: RuleSet, params: TaggingParams) -> pd.DataFrame:
    """Long frame work_id, domain, score, evidence for every (work, domain) tagged."""
    if "work_id" not in works.columns or "title" not in works.columns:
        raise ConfigError("tag_keywords: works frame needs work_id and title columns")
    abstracts = works["abstract"] if "abstract" in works.columns else pd.Series(None, index=works.index)
    rows = []
    for work_id, title, abstract in zip(works["work_id"], works["title"], abstracts):
        title = title if isinstance(title, str) else ""
        abstract = abstract if isinstance(abstract, str) else ""
        for domain, (score, evidence) in tag_text(rules, title, abstract, params).items():
            rows.append((work_id, domain, score, evidence))
    return pd.DataFrame(rows, columns=TAG_COLUMNS)
