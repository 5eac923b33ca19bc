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
- **Visits**: with probability ``visit`` an observed year is spent away without a move: all its
  observations then come from one other candidate country, as if the researcher lived there
  (a visiting position, a sabbatical); the residence stays where it was.
- **Transitions**: from one year to the next the residence changes with probability
  ``move_rate`` (to one of the other candidates, evenly), and stays otherwise.
- **Parameters**: ``epsilon``, ``visit`` and ``move_rate`` are estimated from the data by EM (Baum-Welch
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
    """epsilon0, move_rate0, visit0: EM starting values (visit0 = 0: no visit component);
    iterations: EM iterations (0 = use the starting
    values as they are); tolerance: stop when both estimates change less than this; threshold:
    least move probability for a move to be listed as an event."""

    epsilon0: float = 0.1
    move_rate0: float = 0.05
    visit0: float = 0.03
    iterations: int = 50
    tolerance: float = 1e-5
    threshold: float = 0.5

    def __post_init__(self) -> None:
        if not isinstance(self.visit0, (int, float)) or not 0 <= self.visit0 < 0.5:
            raise ConfigError(f"hmm parameter visit0={self.visit0!r}: expected a probability in [0, 0.5)")
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


def _log_regular(w: np.ndarray, eps: float) -> np.ndarray:
    """(T, K): log-likelihood of each year's weights when the researcher works in each country."""
    k = w.shape[1]
    total = w.sum(axis=1, keepdims=True)
    return w * np.log(1 - eps) + (total - w) * np.log(eps / (k - 1))


def _log_emissions(w: np.ndarray, eps: float, visit: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """(T, K) log-likelihood of each year under each residence, and (T, K) the posterior share of
    the visit component: with probability ``visit`` an observed year is spent away (its
    observations come from one other candidate country, as if resident there) without a move."""
    reg = _log_regular(w, eps)
    k = w.shape[1]
    observed = w.sum(axis=1) > 0
    if visit <= 0 or k < 2:
        return reg, np.zeros_like(reg)
    top = reg.max(axis=1, keepdims=True)
    ex = np.exp(reg - top)
    away = (ex.sum(axis=1, keepdims=True) - ex) / (k - 1)  # mean over the other countries
    mix = (1 - visit) * ex + visit * away
    loge = np.where(observed[:, None], np.log(mix) + top, 0.0)
    rho = np.where(observed[:, None], visit * away / mix, 0.0)
    return loge, rho


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
    return gamma, xi, loglik, (alpha, beta, e, scale)


def _joint(parts, a: np.ndarray, t0: int, t1: int) -> np.ndarray:
    """(K, K): P(residence i in year index t0 and j in t1 | all observations), t0 < t1."""
    alpha, beta, e, scale = parts
    m = np.eye(a.shape[0])
    for t in range(t0 + 1, t1 + 1):
        m = m @ (a * e[t][None, :]) / scale[t]
    out = alpha[t0][:, None] * m * beta[t1][None, :]
    return out / out.sum()


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
    """EM estimates of epsilon, move_rate and visit pooled over the careers:
    {epsilon, move_rate, visit, iterations, loglik}."""
    eps, mu, vis = float(params.epsilon0), float(params.move_rate0), float(params.visit0)
    loglik = float("nan")
    done = 0
    for done in range(1, params.iterations + 1):
        off = tot = moves = steps = away = years = 0.0
        loglik = 0.0
        for c in items:
            loge, rho = _log_emissions(c.weights, eps, vis)
            gamma, xi, ll, _ = _forward_backward(loge, _transition(len(c.countries), mu))
            loglik += ll
            total = c.weights.sum(axis=1)
            regular = gamma * (1 - rho)  # residence r and the year spent there
            off += float((regular * (total[:, None] - c.weights)).sum())
            tot += float((regular * total[:, None]).sum())
            away += float((gamma * rho).sum())
            years += float((total > 0).sum())
            if len(xi):
                moves += float(xi.sum() - np.einsum("tkk->", xi))
                steps += float(len(xi))
        new_eps = min(max(off / tot, 1e-4), 0.49) if tot else eps
        new_mu = min(max(moves / steps, 1e-4), 0.49) if steps else mu
        new_vis = min(max(away / years, 1e-4), 0.49) if years and params.visit0 > 0 else vis
        change = max(abs(new_eps - eps), abs(new_mu - mu), abs(new_vis - vis))
        eps, mu, vis = new_eps, new_mu, new_vis
        if change < params.tolerance:
            break
    return {"epsilon": eps, "move_rate": mu, "visit": vis, "iterations": done, "loglik": loglik}


def decode(items: list[Career], epsilon: float, move_rate: float,
           visit: float = 0.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(residence, moves): residence per person-year of the careers (``country`` = the most likely
    path, ``posterior`` = its posterior probability, ``observed`` = the year has located weight);
    moves of the path (origin, destination, year_from = last year observed at the origin,
    year_to = first year observed at the destination, ``year`` = the posterior mean of the switch's
    first year at the destination, rounded down, ``probability``)."""
    res_rows, mv_rows = [], []
    for c in items:
        k = len(c.countries)
        a = _transition(k, move_rate)
        loge, _ = _log_emissions(c.weights, epsilon, visit)
        gamma, xi, _, parts = _forward_backward(loge, a)
        path = _viterbi(loge, a)
        observed = c.weights.sum(axis=1) > 0
        for t, year in enumerate(c.years):
            res_rows.append((c.researcher_id, int(year), c.countries[path[t]], float(gamma[t, path[t]]),
                             bool(observed[t])))
        # moves: where the path changes. year_from / year_to: the last observed year of the origin
        # spell and the first observed year of the destination spell. The probability is that of
        # being at the origin in the last year of its spell where the origin is likely (posterior
        # >= 0.5, observed) and at the destination in the first such year of its spell: a switch
        # year that itself shows both countries does not make a certain move look uncertain.
        for t in range(1, len(path)):
            if path[t] == path[t - 1]:
                continue
            o, d = path[t - 1], path[t]
            lo = t - 1
            while lo > 0 and not observed[lo] and path[lo - 1] == o:
                lo -= 1
            hi = t
            while hi < len(path) - 1 and not observed[hi] and path[hi + 1] == d:
                hi += 1
            a0 = t - 1
            while a0 > 0 and path[a0 - 1] == o and not (observed[a0] and gamma[a0, o] >= 0.5):
                a0 -= 1
            b0 = t
            while b0 < len(path) - 1 and path[b0 + 1] == d and not (observed[b0] and gamma[b0, d] >= 0.5):
                b0 += 1
            prob = float(_joint(parts, a, a0, b0)[o, d])
            # the year: the posterior mean of the switch's first year at the destination, rounded down
            span = xi[a0:b0, o, d]
            years = c.years[a0 + 1:b0 + 1]
            year = int(np.floor((span * years).sum() / span.sum())) if span.sum() > 0 else int(c.years[hi])
            mv_rows.append((c.researcher_id, c.countries[o], c.countries[d], int(c.years[lo]), int(c.years[hi]),
                            year, min(prob, 1.0)))
    residence = pd.DataFrame(res_rows, columns=["researcher_id", "year", "country", "posterior", "observed"])
    moves = pd.DataFrame(mv_rows, columns=["researcher_id", "origin", "destination", "year_from", "year_to",
                                           "year", "probability"])
    return residence, moves
