"""Transparent keyword tagging: regular-expression rules per application domain.

The rules live in ``data/domain_rules.toml`` (versioned); a user file of the same shape replaces
the domains it names. ``tag_keywords`` is pure: a frame of works in, a long frame of
(work_id, domain, score, evidence) out, where ``evidence`` lists the matched words so every tag
can be checked by eye.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
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


@dataclass(frozen=True)
class RuleSet:
    version: str
    rules: tuple[DomainRule, ...]

    @property
    def domains(self) -> tuple[str, ...]:
        return tuple(r.domain for r in self.rules)


def _compile(patterns, where: str) -> tuple[re.Pattern, ...]:
    out = []
    for p in patterns:
        try:
            out.append(re.compile(p))
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
    # the declared version plus the file's content hash: an edit without a version bump still shows
    version = f"{data['version']}#{hashlib.sha256(text.encode()).hexdigest()[:8]}"
    if override is not None:
        path = Path(override)
        try:
            user = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"domain rules override {path}: cannot read it as TOML ({exc})") from exc
        rules.update(parse_rules(user, str(path)))
        version = f"{version}+user-{user.get('version', path.stem)}"
    return RuleSet(version, tuple(rules.values()))


_TOKEN = re.compile(r"[a-z0-9]+")


def literal_prefix(pattern: str) -> tuple[str, bool]:
    """The lower-case word prefix every match of ``pattern`` starts with, and whether it is a whole word.

    ``\\bmedic(al|ine)`` -> ('medic', False); ``\\bct (scan|image)`` -> ('ct', True);
    ``\\bevs?\\b`` -> ('ev', False) (an optional last letter is dropped); ('', False) when there is none.
    Used to skip patterns whose prefix starts no word of a text, which is what makes tagging fast.
    """
    if not pattern.startswith("\\b"):
        return "", False
    body = pattern[2:]
    out = []
    whole = False
    for i, ch in enumerate(body):
        if ch.isascii() and ch.isalnum():
            out.append(ch.lower())
            continue
        if ch in "?*{" and out:
            out.pop()
        elif ch in " -'" and body[i + 1:i + 2] not in ("?", "*", "{") or body[i:i + 2] == "\\b":
            whole = True
        break
    return "".join(out), whole and bool(out)


class _Trigger:
    """Which (domain, pattern) pairs a word can start: literal prefix -> pattern indices."""

    def __init__(self, rules: RuleSet):
        self.by_prefix: dict[str, list[tuple[int, int]]] = {}
        self.by_word: dict[str, list[tuple[int, int]]] = {}
        self.always: list[tuple[int, int]] = []
        for d, rule in enumerate(rules.rules):
            for k, pat in enumerate(rule.include):
                lit, whole = literal_prefix(pat.pattern)
                if not lit:
                    self.always.append((d, k))
                else:
                    (self.by_word if whole else self.by_prefix).setdefault(lit, []).append((d, k))
        self.lengths = sorted({len(p) for p in self.by_prefix})
        self._cache: dict[str, tuple[tuple[int, int], ...]] = {}

    def of_word(self, word: str) -> tuple[tuple[int, int], ...]:
        hit = self._cache.get(word)
        if hit is None:
            found = list(self.by_word.get(word, ()))
            for n in self.lengths:
                if n > len(word):
                    break
                found.extend(self.by_prefix.get(word[:n], ()))
            hit = self._cache[word] = tuple(found)
        return hit

    def candidates(self, text_lower: str) -> dict[int, list[int]]:
        """domain index -> include pattern indices that may match ``text_lower``."""
        out: dict[int, list[int]] = {}
        for word in set(_TOKEN.findall(text_lower)):
            for d, k in self.of_word(word):
                out.setdefault(d, []).append(k)
        for d, k in self.always:
            out.setdefault(d, []).append(k)
        return out


def _hits(rule: DomainRule, text: str, candidates: list[int] | None = None) -> list[str]:
    """Distinct include patterns matching ``text`` outside every exclude match; the matched words.

    ``candidates``: indices of the include patterns worth trying (default: all).
    """
    if not text:
        return []
    pats = rule.include if candidates is None else [rule.include[k] for k in sorted(set(candidates))]
    vetoed = None
    found: list[str] = []
    for pat in pats:
        for m in pat.finditer(text):
            if vetoed is None:
                vetoed = [x.span() for ex in rule.exclude for x in ex.finditer(text)]
            a, b = m.span()
            if any(a < vb and va < b for va, vb in vetoed):
                continue
            found.append(m.group(0).strip().lower())
            break
    return list(dict.fromkeys(found))


@lru_cache(maxsize=8)
def _trigger(rules: RuleSet) -> _Trigger:
    return _Trigger(rules)


def tag_text(rules: RuleSet, title: str | None, abstract: str | None, params: TaggingParams,
             trigger: _Trigger | None = None) -> dict[str, tuple[float, str]]:
    """Domains of one text: domain -> (score, evidence). Score = distinct words matched."""
    out = {}
    trig = trigger or _trigger(rules)
    title = (title or "").lower()
    abstract = (abstract or "").lower() if params.text == "title_abstract" else ""
    cand_t = trig.candidates(title) if title else {}
    cand_a = trig.candidates(abstract) if abstract else {}
    for d in sorted(set(cand_t) | set(cand_a)):
        rule = rules.rules[d]
        in_title = _hits(rule, title, cand_t[d]) if d in cand_t else []
        in_abstract = _hits(rule, abstract, cand_a[d]) if d in cand_a else []
        words = list(dict.fromkeys(in_title + in_abstract))
        if in_title or len(in_abstract) >= params.abstract_min_hits:
            out[rule.domain] = (float(len(words)), ", ".join(words[:8]))
    return out


def tag_keywords(works: pd.DataFrame, rules: RuleSet, params: TaggingParams) -> pd.DataFrame:
    """Long frame work_id, domain, score, evidence for every (work, domain) tagged."""
    if "work_id" not in works.columns or "title" not in works.columns:
        raise ConfigError("tag_keywords: works frame needs work_id and title columns")
    abstracts = works["abstract"] if "abstract" in works.columns else pd.Series(None, index=works.index)
    trig = _Trigger(rules)
    rows = []
    for work_id, title, abstract in zip(works["work_id"], works["title"], abstracts):
        title = title if isinstance(title, str) else ""
        abstract = abstract if isinstance(abstract, str) else ""
        for domain, (score, evidence) in tag_text(rules, title, abstract, params, trig).items():
            rows.append((work_id, domain, score, evidence))
    return pd.DataFrame(rows, columns=TAG_COLUMNS)
