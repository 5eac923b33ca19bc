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
    tolerance: float = 1e-4
    threshold: float = 0.5

    def __post_init__(self) -> None:
        if not isinstance(self.visit0, (int, float)) or isinstance(self.visit0, bool) or not 0 <= self.visit0 < 0.5:
            raise ConfigError(f"hmm parameter visit0={self.visit0!r}: expected a probability in [0, 0.5)")
        for name in ("epsilon0", "move_rate0"):
            v = getattr(self, name)
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not 0 < v < 0.5:
                raise ConfigError(f"hmm parameter {name}={v!r}: expected a probability in (0, 0.5)")
        if not isinstance(self.iterations, int) or self.iterations < 0:
            raise ConfigError(f"hmm parameter iterations={self.iterations!r}: expected a whole number >= 0")
        if not isinstance(self.threshold, (int, float)) or isinstance(self.threshold, bool) \
                or not 0 <= self.threshold <= 1:
            raise ConfigError(f"hmm parameter threshold={self.threshold!r}: expected a probability in [0, 1]")


@dataclass
class Group:
    """Researchers with the same number of candidate countries K and of years T, stacked."""

    ids: np.ndarray  # (N,) researcher keys
    countries: np.ndarray  # (N, K) candidate countries, sorted
    first: np.ndarray  # (N,) first observed year
    weights: np.ndarray  # (N, T, K) located weight per year and country

    @property
    def shape(self) -> tuple[int, int, int]:
        return self.weights.shape


def careers(cyears: pd.DataFrame) -> list[Group]:
    """``cyears``: researcher_id, year, country, w (located weight; the rules' ``country_years``).
    The researchers seen in two or more countries, grouped by (K, T): every group is one array."""
    if cyears.empty:
        return []
    frame = cyears[["researcher_id", "year", "country", "w"]]
    r, ids = pd.factorize(frame["researcher_id"], sort=True)
    c, names = pd.factorize(frame["country"], sort=True)
    n_c = max(len(names), 1)
    pair = r.astype(np.int64) * n_c + c
    upairs = np.unique(pair)  # sorted by researcher, then country
    pr = upairs // n_c
    k_of = np.bincount(pr, minlength=len(ids))
    start = np.searchsorted(pr, np.arange(len(ids)))
    local = np.searchsorted(upairs, pair) - start[r]  # the country's rank among the researcher's
    years = frame["year"].to_numpy(dtype=np.int64)
    first = np.full(len(ids), np.iinfo(np.int64).max)
    last = np.full(len(ids), np.iinfo(np.int64).min)
    np.minimum.at(first, r, years)
    np.maximum.at(last, r, years)
    t_of = last - first + 1
    keep_r = k_of >= 2
    groups = []
    key = np.where(keep_r, k_of * 10_000 + t_of, -1)
    w = frame["w"].to_numpy(dtype=float)
    names = np.asarray(names, dtype=object)
    ids = np.asarray(ids, dtype=object)
    rows_by_r = np.argsort(r, kind="stable")
    r_sorted = r[rows_by_r]
    for g in np.unique(key[keep_r]):
        members = np.flatnonzero(key == g)
        k, t = int(k_of[members[0]]), int(t_of[members[0]])
        pos = np.full(len(ids), -1)
        pos[members] = np.arange(len(members))
        lo = np.searchsorted(r_sorted, members)
        hi = np.searchsorted(r_sorted, members, side="right")
        rows = np.concatenate([rows_by_r[a:b] for a, b in zip(lo, hi)])
        tensor = np.zeros((len(members), t, k))
        np.add.at(tensor, (pos[r[rows]], years[rows] - first[r[rows]], local[rows]), w[rows])
        cand = names[(upairs[np.add.outer(start[members], np.arange(k))] % n_c)]
        groups.append(Group(ids[members], cand.reshape(len(members), k), first[members], tensor))
    return groups


def _log_regular(w: np.ndarray, eps: float) -> np.ndarray:
    """(..., T, K): log-likelihood of each year's weights when the researcher works in each country."""
    k = w.shape[-1]
    total = w.sum(axis=-1, keepdims=True)
    return w * np.log(1 - eps) + (total - w) * np.log(eps / (k - 1))


def _log_emissions(w: np.ndarray, eps: float, visit: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """(..., T, K) log-likelihood of each year under each residence, and the posterior share of
    the visit component: with probability ``visit`` an observed year is spent away (its
    observations come from one other candidate country, as if resident there) without a move."""
    reg = _log_regular(w, eps)
    k = w.shape[-1]
    observed = w.sum(axis=-1) > 0
    if visit <= 0 or k < 2:
        return reg, np.zeros_like(reg)
    top = reg.max(axis=-1, keepdims=True)
    ex = np.exp(reg - top)
    away = (ex.sum(axis=-1, keepdims=True) - ex) / (k - 1)  # mean over the other countries
    mix = (1 - visit) * ex + visit * away
    loge = np.where(observed[..., None], np.log(mix) + top, 0.0)
    rho = np.where(observed[..., None], visit * away / mix, 0.0)
    return loge, rho


def _transition(k: int, mu: float) -> np.ndarray:
    a = np.full((k, k), mu / (k - 1))
    np.fill_diagonal(a, 1 - mu)
    return a


def _forward_backward(loge: np.ndarray, a: np.ndarray):
    """Scaled forward-backward over a stack (N, T, K). Returns gamma (N,T,K), xi (N,T-1,K,K),
    loglik (N,) and the scaled quantities (alpha, beta, e, scale) for ``_joint``."""
    n, t_len, k = loge.shape
    top = loge.max(axis=2, keepdims=True)
    e = np.exp(loge - top)
    alpha = np.empty((n, t_len, k))
    scale = np.empty((n, t_len))
    alpha[:, 0] = e[:, 0] / k
    scale[:, 0] = alpha[:, 0].sum(axis=1)
    alpha[:, 0] /= scale[:, 0, None]
    for t in range(1, t_len):
        alpha[:, t] = e[:, t] * (alpha[:, t - 1] @ a)
        scale[:, t] = alpha[:, t].sum(axis=1)
        alpha[:, t] /= scale[:, t, None]
    beta = np.empty((n, t_len, k))
    beta[:, -1] = 1.0
    for t in range(t_len - 2, -1, -1):
        beta[:, t] = ((e[:, t + 1] * beta[:, t + 1]) @ a.T) / scale[:, t + 1, None]
    gamma = alpha * beta
    gamma /= gamma.sum(axis=2, keepdims=True)
    if t_len > 1:
        xi = alpha[:, :-1, :, None] * a[None, None] * (e[:, 1:] * beta[:, 1:])[:, :, None, :] \
            / scale[:, 1:, None, None]
        xi /= xi.sum(axis=(2, 3), keepdims=True)
    else:
        xi = np.zeros((n, 0, k, k))
    loglik = np.log(scale).sum(axis=1) + top[..., 0].sum(axis=1)
    return gamma, xi, loglik, (alpha, beta, e, scale)


def _joint(parts, a: np.ndarray, i: int, t0: int, t1: int) -> np.ndarray:
    """(K, K): P(residence r in year index t0 and s in t1 | all observations) of stacked researcher i."""
    alpha, beta, e, scale = parts
    m = np.eye(a.shape[0])
    for t in range(t0 + 1, t1 + 1):
        m = m @ (a * e[i, t][None, :]) / scale[i, t]
    out = alpha[i, t0][:, None] * m * beta[i, t1][None, :]
    return out / out.sum()


def _viterbi(loge: np.ndarray, a: np.ndarray) -> np.ndarray:
    """(N, T) most likely paths of a stack."""
    n, t_len, k = loge.shape
    la = np.log(a)
    delta = loge[:, 0] - np.log(k)
    back = np.zeros((n, t_len, k), dtype=np.int64)
    # scores are rounded before each argmax: an exact tie (two countries with equal weight) goes to
    # the first country in alphabetical order, never to floating-point noise (which differs with
    # how many researchers are stacked together)
    for t in range(1, t_len):
        cand = np.round(delta[:, :, None] + la[None], 9)
        back[:, t] = cand.argmax(axis=1)
        delta = cand.max(axis=1) + loge[:, t]
    path = np.empty((n, t_len), dtype=np.int64)
    path[:, -1] = np.round(delta, 9).argmax(axis=1)
    for t in range(t_len - 1, 0, -1):
        path[:, t - 1] = np.take_along_axis(back[:, t], path[:, t, None], axis=1)[:, 0]
    return path


def fit(groups: list[Group], params: HmmParams = HmmParams()) -> dict:
    """EM estimates of epsilon, move_rate and visit pooled over the careers:
    {epsilon, move_rate, visit, iterations, loglik}."""
    eps, mu, vis = float(params.epsilon0), float(params.move_rate0), float(params.visit0)
    loglik = float("nan")
    done = 0
    for done in range(1, params.iterations + 1):
        off = tot = moves = steps = away = years = 0.0
        loglik = 0.0
        for g in groups:
            w = g.weights
            loge, rho = _log_emissions(w, eps, vis)
            gamma, xi, ll, _ = _forward_backward(loge, _transition(w.shape[2], mu))
            loglik += float(ll.sum())
            total = w.sum(axis=2)
            regular = gamma * (1 - rho)  # residence r and the year spent there
            off += float((regular * (total[..., None] - w)).sum())
            tot += float((regular * total[..., None]).sum())
            away += float((gamma * rho).sum())
            years += float((total > 0).sum())
            if xi.shape[1]:
                moves += float(xi.sum() - np.einsum("ntkk->", xi))
                steps += float(xi.shape[0] * xi.shape[1])
        new_eps = min(max(off / tot, 1e-4), 0.49) if tot else eps
        new_mu = min(max(moves / steps, 1e-4), 0.49) if steps else mu
        new_vis = min(max(away / years, 1e-4), 0.49) if years and params.visit0 > 0 else vis
        change = max(abs(new_eps - eps), abs(new_mu - mu), abs(new_vis - vis))
        eps, mu, vis = new_eps, new_mu, new_vis
        if change < params.tolerance:
            break
    return {"epsilon": eps, "move_rate": mu, "visit": vis, "iterations": done, "loglik": loglik}


def decode(groups: list[Group], epsilon: float, move_rate: float,
           visit: float = 0.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(residence, moves): residence per person-year of the careers (``country`` = the most likely
    path, ``posterior`` = its posterior probability, ``observed`` = the year has located weight);
    moves of the path (origin, destination, year_from = last year observed at the origin,
    year_to = first year observed at the destination, ``year`` = the posterior mean of the switch's
    first year at the destination, rounded down, ``probability``)."""
    res_parts, mv_rows = [], []
    for g in groups:
        n, t_len, k = g.weights.shape
        a = _transition(k, move_rate)
        loge, _ = _log_emissions(g.weights, epsilon, visit)
        gamma, xi, _, parts = _forward_backward(loge, a)
        path = _viterbi(loge, a)
        observed = g.weights.sum(axis=2) > 0
        years = g.first[:, None] + np.arange(t_len)[None, :]
        post = np.take_along_axis(gamma, path[..., None], axis=2)[..., 0]
        res_parts.append(pd.DataFrame({
            "researcher_id": np.repeat(g.ids, t_len), "year": years.ravel(),
            "country": np.take_along_axis(g.countries, path, axis=1).ravel(),
            "posterior": np.round(post, 9).ravel(), "observed": observed.ravel()}))
        # moves: where the path changes. year_from / year_to: the last observed year of the origin
        # spell and the first observed year of the destination spell. The probability is that of
        # being at the origin in the last year of its spell where the origin is likely (posterior
        # >= 0.5, observed) and at the destination in the first such year of its spell: a switch
        # year that itself shows both countries does not make a certain move look uncertain.
        for i, t in zip(*np.nonzero(path[:, 1:] != path[:, :-1])):
            t = int(t) + 1
            pi, ob, gi = path[i], observed[i], gamma[i]
            o, d = pi[t - 1], pi[t]
            lo = t - 1
            while lo > 0 and not ob[lo] and pi[lo - 1] == o:
                lo -= 1
            hi = t
            while hi < t_len - 1 and not ob[hi] and pi[hi + 1] == d:
                hi += 1
            a0 = t - 1
            while a0 > 0 and pi[a0 - 1] == o and not (ob[a0] and round(gi[a0, o], 9) >= 0.5):
                a0 -= 1
            b0 = t
            while b0 < t_len - 1 and pi[b0 + 1] == d and not (ob[b0] and round(gi[b0, d], 9) >= 0.5):
                b0 += 1
            prob = round(float(_joint(parts, a, i, a0, b0)[o, d]), 9)
            # the year: the posterior mean of the switch's first year at the destination, rounded down
            span = xi[i, a0:b0, o, d]
            yrs = years[i, a0 + 1:b0 + 1]
            year = int(np.floor(round(float((span * yrs).sum() / span.sum()), 6))) if span.sum() > 0 else int(years[i, hi])
            mv_rows.append((g.ids[i], g.countries[i, o], g.countries[i, d], int(years[i, lo]), int(years[i, hi]),
                            year, min(prob, 1.0)))
    cols = ["researcher_id", "year", "country", "posterior", "observed"]
    residence = pd.concat(res_parts, ignore_index=True) if res_parts else pd.DataFrame(columns=cols)
    moves = pd.DataFrame(mv_rows, columns=["researcher_id", "origin", "destination", "year_from", "year_to",
                                           "year", "probability"])
    return residence, moves
