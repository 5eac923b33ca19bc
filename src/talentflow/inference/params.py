"""The rules of career inference, as one frozen dataclass (recorded in meta_runs with every result).

Every choice that changes a residence year or an event is a field here. ``InferenceParams()`` are
the defaults, tuned on simulated careers (``bench/tune_inference.py``: seed 7; scored on seed 1);
``load_params(path)`` reads a TOML file (top level, or a ``[inference]`` table) and
``with_overrides`` applies command-line options. Values are validated at construction.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from talentflow.errors import ConfigError
from talentflow.inference.hmm import HmmParams

Identity = Literal["stable_id", "resolved", "all"]
TieBreak = Literal["previous", "next", "alphabetical"]
Padding = Literal["carry_forward", "none"]
PointEstimate = Literal["evidence", "year_to", "year_from", "midpoint"]
ReturnRule = Literal["any_previous", "origin"]
ChainRule = Literal["skip", "ambiguous", "room"]
Method = Literal["rules", "hmm"]

_LITERALS = {"identity": Identity, "tie_break": TieBreak, "padding": Padding, "point_estimate": PointEstimate,
             "return_rule": ReturnRule,
             "chain_rule": ChainRule, "method": Method}


@dataclass(frozen=True)
class InferenceParams:
    """Rules that turn affiliation observations into residence years and events.

    identity: which researchers have careers: ``stable_id`` (ids stable across years: IEEE,
        ACL Anthology, OpenReview, CSV keys), ``resolved`` (the persons of person resolution,
        ``talentflow link``: split and merged source ids, name-only authorships attached; an
        observation with no persons row keeps its stable id) or ``all`` (also name-only keys,
        which merge different people of the same name). ``stable`` is read as ``stable_id``.
    min_evidence: minimum summed fractional weight of located observations for a year to be
        observed (one single-affiliation paper weighs 1; each of two co-affiliations 0.5).
    tie_break: when two countries carry the same weight in a year: ``previous`` (continuity
        with the nearest earlier decided year, then the nearest later one), ``next`` (the other
        way round: the default, since the typical tie is a move year showing the old affiliation
        on a late paper and the new one), ``alphabetical``. Remaining ties fall back to the
        alphabetical order.
    padding: ``carry_forward`` fills the unobserved years between the first and last observed
        year with the country of the last observed spell, until the first year seen at the
        next one (Scholarly Migration Database style); ``none`` keeps observed years only.
    max_gap: gaps longer than this many unobserved years are not padded (the researcher may have
        left the field); their years stay out of the population.
    min_spell_years: observed years a spell at a country needs to count as residence that
        persists. Shorter spells are visits (between two spells at the same country),
        ambiguous (between two different countries), or censored (at the end of the record).
    temporary_window: a stay at B between spells at A whose span (last - first year seen at B
        + 1) is at most this many years is a temporary stay, however many years it is seen.
    min_origin_years: observed years the first spell needs to be an origin that a migration
        can leave; a shorter first spell followed by a persistent one is ``ambiguous``.
    point_estimate: the event's single year: ``evidence`` (the default: the first year seen at
        the destination when the origin is still seen in it, as publication lag makes a
        move year show both; the last year seen at the origin when the destination already
        shows in it; otherwise the middle of the interval, rounded up), the first year seen at
        the destination (``year_to``), the last year seen at the origin (``year_from``), or
        the middle of the interval (``midpoint``, rounded up).
    return_rule: a migration is a ``return`` when its destination is ``any_previous`` country
        of residence, or only the ``origin`` (first) country.
    chain_rule: a move from A to C with a short (ambiguous) spell at a third country B between
        them: ``skip`` B and call A -> C a migration; call it ``ambiguous`` (it may be two
        moves, A -> B -> C); or ``room`` (the default): ambiguous only when the unobserved
        years around B leave room for a persisting stay there (the years between the last
        year seen at A and the first seen at C number at least ``min_spell_years``),
        otherwise a migration A -> C (B was a visit).
    traveler_min_weight: a co-affiliation abroad in a year of residence elsewhere makes a
        ``traveler`` event when its weight is at least this.
    boundary_share: a spell's evidence is its observed years plus each neighbouring spell's
        boundary year (the year before it begins, the year after it ends) in which its
        country holds at least this share of the located weight: a move year often shows the
        old affiliation on late papers beside the new one (publication lag). 1 turns it off
        (only a country's own observed years count). Also used by ``point_estimate=evidence``.
    year_min, year_max: only observations of these years (inclusive) are used.
    method: ``rules`` (the rules above decide every residence year and move) or ``hmm`` (the
        residence model of ``inference/hmm.py`` decides the residence and the country moves of
        researchers seen in two or more countries; the rules keep the others, institution and
        sector moves and travelers). A move of the model is an event when its probability is at
        least ``hmm_threshold``; ``hmm_epsilon0`` / ``hmm_move_rate0`` / ``hmm_visit0`` start the EM estimation
        (``hmm_iterations`` iterations at most) on at most ``hmm_fit_sample`` multi-country
        researchers (0 = all; the sample: the lowest hashes of their keys), whose estimates are
        stored in ``model_estimates``.
    """

    identity: Identity = "stable_id"
    min_evidence: float = 0.5
    tie_break: TieBreak = "next"
    padding: Padding = "carry_forward"
    max_gap: int = 10
    min_spell_years: int = 2
    temporary_window: int = 1
    min_origin_years: int = 1
    point_estimate: PointEstimate = "evidence"
    return_rule: ReturnRule = "any_previous"
    chain_rule: ChainRule = "room"
    traveler_min_weight: float = 0.25
    boundary_share: float = 0.5
    year_min: int = 0
    year_max: int = 9999
    method: Method = "rules"
    hmm_threshold: float = 0.5
    hmm_epsilon0: float = 0.1
    hmm_move_rate0: float = 0.05
    hmm_visit0: float = 0.03
    hmm_iterations: int = 50
    hmm_fit_sample: int = 20_000

    def __post_init__(self) -> None:
        for name, lit in _LITERALS.items():
            value = getattr(self, name)
            if value not in get_args(lit):
                raise ConfigError(f"inference parameter {name}={value!r}: expected one of {', '.join(get_args(lit))}")
        for name in ("max_gap", "min_spell_years", "temporary_window", "min_origin_years", "year_min", "year_max",
                     "hmm_iterations", "hmm_fit_sample"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ConfigError(f"inference parameter {name}={value!r}: expected a whole number >= 0")
        if self.min_spell_years < 1 or self.min_origin_years < 1:
            raise ConfigError("inference parameters min_spell_years and min_origin_years must be >= 1")
        try:  # the model's fields are HmmParams' (one set of checks), named here as hmm_<field>
            self.hmm
        except ConfigError as exc:
            raise ConfigError(str(exc).replace("hmm parameter ", "inference parameter hmm_")) from None
        if not isinstance(self.boundary_share, (int, float)) or not 0 <= self.boundary_share <= 1:
            raise ConfigError(f"inference parameter boundary_share={self.boundary_share!r}: expected a share in [0, 1]")
        for name in ("min_evidence", "traveler_min_weight"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 10:
                raise ConfigError(f"inference parameter {name}={value!r}: expected a number in [0, 10]")

    @property
    def hmm(self) -> HmmParams:
        """The residence model's parameters (method hmm)."""
        return HmmParams(epsilon0=self.hmm_epsilon0, move_rate0=self.hmm_move_rate0, visit0=self.hmm_visit0,
                         iterations=self.hmm_iterations, threshold=self.hmm_threshold)

    def with_overrides(self, **changes) -> "InferenceParams":
        """A copy with the given fields changed (None values are ignored)."""
        changes = {k: v for k, v in changes.items() if v is not None}
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise ConfigError(f"unknown inference parameter(s) {sorted(unknown)}; known: {field_names()}")
        return dataclasses.replace(self, **{k: _coerce(k, v) for k, v in changes.items()})


def field_names() -> list[str]:
    return [f.name for f in dataclasses.fields(InferenceParams)]


def _coerce(name: str, value):
    """Command-line strings to the field's type (TOML values pass through)."""
    default = getattr(InferenceParams(), name)
    if isinstance(value, str) and not isinstance(default, str):
        try:
            return type(default)(value)
        except ValueError:
            raise ConfigError(f"inference parameter {name}={value!r}: expected a {type(default).__name__}") from None
    if isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def load_params(path: str | Path | None = None, **overrides) -> InferenceParams:
    """Defaults, then the TOML file's values (top level or ``[inference]``), then ``overrides``."""
    base = InferenceParams()
    if path is not None:
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{path}: no such parameter file") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
        data = data.get("inference", data)
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: [inference] must be a table of parameters")
        unknown = set(data) - set(field_names())
        if unknown:
            raise ConfigError(f"{path}: unknown inference parameter(s) {sorted(unknown)}; known: {field_names()}")
        base = base.with_overrides(**data)
    if overrides.get("identity") == "stable":  # the CLI's short name for stable_id
        overrides["identity"] = "stable_id"
    return base.with_overrides(**overrides)
