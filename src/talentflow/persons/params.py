"""The recorded parameters of person resolution (stored in ``meta_runs`` under kind ``persons``)."""

from __future__ import annotations

from dataclasses import dataclass

from talentflow.errors import ConfigError

KIND = "persons"


@dataclass(frozen=True)
class PersonsParams:
    """threshold: match probability at and above which two authorships are linked (persons are the
    connected components of the links); chosen on the persons gold set's dev split, precision first.
    max_pairs_u: record pairs sampled at random to estimate the u probabilities (how often a
    comparison level occurs between two random authorships). em_rounds: expectation-maximisation
    sessions (each blocked on a different rule, so every comparison gets trained). seed: the
    random sampling. same_id_bf: the Bayes factor of "same stable source id", fixed rather than
    estimated (estimated, it is ~10^4: random pairs never share an id, so an id outweighs every
    contrary evidence and no merged ACL id is split); None estimates it. corroboration_bf: the
    Bayes factor a co-author, institution or e-mail-domain comparison needs for a link to join
    persons (link.cluster); weaker links only attach a lone authorship. model: the version of the comparisons and blocking (persons/link.py).
    """

    threshold: float = 0.97
    same_id_bf: float | None = 100.0
    corroboration_bf: float = 4.0
    max_pairs_u: float = 2e6
    seed: int = 20261207
    model: str = "splink-4.0.17-v2"

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold < 1.0:
            raise ConfigError(f"--threshold {self.threshold}: expected a probability strictly between 0 and 1")
        if self.same_id_bf is not None and self.same_id_bf <= 1:
            raise ConfigError(f"same_id_bf={self.same_id_bf}: expected a Bayes factor above 1 (or None)")
        if self.corroboration_bf < 1:
            raise ConfigError(f"corroboration_bf={self.corroboration_bf}: expected a Bayes factor of at least 1")
        if self.max_pairs_u < 1e3:
            raise ConfigError(f"max_pairs_u={self.max_pairs_u}: expected at least 1000")
