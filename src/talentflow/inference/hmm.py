"""A probabilistic residence model: a hidden Markov model per researcher, fitted by EM.

The rules (``inference/residence.py``, ``events.py``) decide residence with hard thresholds (a
spell needs ``min_spell_years`` observed years). Here residence is a hidden state and the located
observations are noisy evidence of it:

- **States**: the countries a researcher is ever observed in (``K`` of them). A researcher seen
  in one country only has no move to find and is left to the rules' residence.
- **Years**: every year from the first to the last observed year; a year without located
  observations carries no evidence (its residence is inferred from its neighbours).
- **Emissions**: in a year of residence r, each unit of located weight (a paper's fractional
  affiliation) is in r with probability 1 - epsilon, elsewhere with epsilon (spread evenly over
  the other candidate countries): co-affiliations, visits, publication lag and coding errors are
  all "elsewhere". The log-likelihood of a year is its weights times log-probabilities.
- **Transitions**: from one year to the next the residence changes with probability
  ``move_rate`` (to one of the other candidates, evenly), and stays otherwise.
- **Parameters**: ``epsilon`` and ``move_rate`` are estimated from the data by EM (Baum-Welch
  pooled over the researchers with two or more candidate countries), starting from
  ``epsilon0`` / ``move_rate0``; the estimates are returned and recorded.

Outputs (``decode``): the posterior of residence per person-year, the most likely path (Viterbi),
and a move probability per move of that path: the posterior probability that the residence goes
from the origin to the destination somewhere between the last year observed at the origin and
the first observed at the destination. A move is listed as an event when its probability is at
least ``threshold``.

Pure numpy: observations in, frames out. ``talentflow.inference.run`` stores them like the rules'.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from talentflow.errors import ConfigError


@dataclass(frozen=True)
class HmmParams:
    """epsilon0, move_rate0: EM starting values; iterations: EM iterations (0 = use the starting
    values as they are); tolerance: stop when both estimates change less than this; threshold:
    least move probability for a move to be listed as an event."""

    epsilon0: float = 0.1
    move_rate0: float = 0.05
    iterations: int = 50
    tolerance: float = 1e-5
    threshold: float = 0.5

    def __post_init__(self) -> None:
        for name in ("epsilon0", "move_rate0"):
            v = getattr(self, name)
            if not isinstance(v, (int, float)) or not 0 < v < 0.5:
                raise ConfigError(f"hmm parameter {name}={v!r}: expected a probability in (0, 0.5)")
        if not isinstance(self.iterations, int) or self.iterations < 0:
            raise ConfigError(f"hmm parameter iterations={self.iterations!r}: expected a whole number >= 0")
        if not 0 <= self.threshold <= 1:
            raise ConfigError(f"hmm parameter threshold={self.threshold!r}: expected a probability in [0, 1]")


@dataclass
class Career:
    """One researcher's evidence: candidate countries, years first..last, located weight per year and country."""

    researcher_id: object  # the input's key (text, or the run's hashed key)
    countries: list[str]
    years: np.ndarray  # (T,) consecutive
    weights: np.ndarray  # (T, K)


def careers(cyears: pd.DataFrame) -> list[Career]:
    """``cyears``: researcher_id, year, country, w (located weight; the rules' ``country_years``).
    Researchers seen in two or more countries, each as a Career."""
    if cyears.empty:
        return []
    frame = cyears[["researcher_id", "year", "country", "w"]].copy()
    k = frame.groupby("researcher_id")["country"].transform("nunique")
    frame = frame[k >= 2].sort_values(["researcher_id", "year", "country"])
    out = []
    for rid, g in frame.groupby("researcher_id", sort=True):
        countries = sorted(g["country"].unique())
        first, last = int(g["year"].min()), int(g["year"].max())
        years = np.arange(first, last + 1)
        w = np.zeros((len(years), len(countries)))
        ci = {c: i for i, c in enumerate(countries)}
        np.add.at(w, (g["year"].to_numpy(dtype=int) - first, g["country"].map(ci).to_numpy(dtype=int)),
                  g["w"].to_numpy(dtype=float))
        out.append(Career(rid, countries, years, w))
    return out


def _log_emissions(w: np.ndarray, eps: float) -> np.ndarray:
    """(T, K): log-likelihood of each year's weights under each residence."""
    k = w.shape[1]
    total = w.sum(axis=1, keepdims=True)
    return w * np.log(1 - eps) + (total - w) * np.log(eps / (k - 1))


def _transition(k: int, mu: float) -> np.ndarray:
    a = np.full((k, k), mu / (k - 1))
    np.fill_diagonal(a, 1 - mu)
    return a


def _forward_backward(loge: np.ndarray, a: np.ndarray):
    """Scaled forward-backward. Returns (gamma (T,K), xi_sum (K,K) over t, xi (T-1,K,K), loglik)."""
    t_len, k = loge.shape
    e = np.exp(loge - loge.max(axis=1, keepdims=True))
    alpha = np.empty((t_len, k))
    scale = np.empty(t_len)
    alpha[0] = e[0] / k
    scale[0] = alpha[0].sum()
    alpha[0] /= scale[0]
    for t in range(1, t_len):
        alpha[t] = e[t] * (alpha[t - 1] @ a)
        scale[t] = alpha[t].sum()
        alpha[t] /= scale[t]
    beta = np.empty((t_len, k))
    beta[-1] = 1.0
    for t in range(t_len - 2, -1, -1):
        beta[t] = a @ (e[t + 1] * beta[t + 1]) / scale[t + 1]
    gamma = alpha * beta
    gamma /= gamma.sum(axis=1, keepdims=True)
    if t_len > 1:
        xi = alpha[:-1, :, None] * a[None] * (e[1:] * beta[1:])[:, None, :] / scale[1:, None, None]
        xi /= xi.sum(axis=(1, 2), keepdims=True)
    else:
        xi = np.zeros((0, k, k))
    loglik = np.log(scale).sum() + loge.max(axis=1).sum()
    return gamma, xi, loglik


def _viterbi(loge: np.ndarray, a: np.ndarray) -> np.ndarray:
    t_len, k = loge.shape
    la = np.log(a)
    delta = loge[0] - np.log(k)
    back = np.zeros((t_len, k), dtype=int)
    for t in range(1, t_len):
        cand = delta[:, None] + la
        back[t] = cand.argmax(axis=0)
        delta = cand.max(axis=0) + loge[t]
    path = np.empty(t_len, dtype=int)
    path[-1] = int(delta.argmax())
    for t in range(t_len - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path


def fit(items: list[Career], params: HmmParams = HmmParams()) -> dict:
    """EM estimates of epsilon and move_rate pooled over the careers: {epsilon, move_rate, iterations, loglik}."""
    eps, mu = float(params.epsilon0), float(params.move_rate0)
    loglik = float("nan")
    done = 0
    for done in range(1, params.iterations + 1):
        off = tot = moves = steps = 0.0
        loglik = 0.0
        for c in items:
            loge = _log_emissions(c.weights, eps)
            gamma, xi, ll = _forward_backward(loge, _transition(len(c.countries), mu))
            loglik += ll
            total = c.weights.sum(axis=1)
            off += float((gamma * (total[:, None] - c.weights)).sum())
            tot += float(total.sum())
            if len(xi):
                moves += float(xi.sum() - np.einsum("tkk->", xi))
                steps += float(len(xi))
        new_eps = min(max(off / tot, 1e-4), 0.49) if tot else eps
        new_mu = min(max(moves / steps, 1e-4), 0.49) if steps else mu
        change = max(abs(new_eps - eps), abs(new_mu - mu))
        eps, mu = new_eps, new_mu
        if change < params.tolerance:
            break
    return {"epsilon": eps, "move_rate": mu, "iterations": done, "loglik": loglik}


def decode(items: list[Career], epsilon: float, move_rate: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(residence, moves): residence per person-year of the careers (``country`` = the most likely
    path, ``posterior`` = its posterior probability, ``observed`` = the year has located weight);
    moves of the path (origin, destination, year_from = last year observed at the origin,
    year_to = first year observed at the destination, ``probability``)."""
    res_rows, mv_rows = [], []
    for c in items:
        k = len(c.countries)
        a = _transition(k, move_rate)
        loge = _log_emissions(c.weights, epsilon)
        gamma, xi, _ = _forward_backward(loge, a)
        path = _viterbi(loge, a)
        observed = c.weights.sum(axis=1) > 0
        for t, year in enumerate(c.years):
            res_rows.append((c.researcher_id, int(year), c.countries[path[t]], float(gamma[t, path[t]]),
                             bool(observed[t])))
        # moves: where the path changes; the interval runs from the last observed year of the
        # origin spell to the first observed year of the destination spell
        t = 1
        while t < len(path):
            if path[t] != path[t - 1]:
                o, d = path[t - 1], path[t]
                lo = t - 1
                while lo > 0 and not observed[lo]:
                    lo -= 1
                hi = t
                while hi < len(path) - 1 and not observed[hi] and path[hi + 1] == d:
                    hi += 1
                prob = float(xi[lo:hi, o, d].sum()) if len(xi) else 0.0
                mv_rows.append((c.researcher_id, c.countries[o], c.countries[d], int(c.years[lo]), int(c.years[hi]),
                                min(prob, 1.0)))
            t += 1
    residence = pd.DataFrame(res_rows, columns=["researcher_id", "year", "country", "posterior", "observed"])
    moves = pd.DataFrame(mv_rows, columns=["researcher_id", "origin", "destination", "year_from", "year_to",
                                           "probability"])
    return residence, moves
