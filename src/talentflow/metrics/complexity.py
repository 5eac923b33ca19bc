"""Relatedness and complexity over a binary presence matrix M (regions x fields, M = RCA >= 1).

Definitions follow Hidalgo et al. (2007) and Hidalgo & Hausmann (2009), in the conventions of the
Growth Lab's ecomplexity package (so the two can be compared; see tests/specialization):

- proximity  phi[f, g] = sum_r M[r, f] M[r, g] / max(u_f, u_g), u = ubiquity (phi[f, f] = 1);
- density    omega[r, f] = sum_g M[r, g] phi[g, f] / sum_g phi[g, f];
- complexity (eigenvector form): the second eigenvector of M~ = D^-1 M U^-1 M^T (D, U diagonal
  diversity and ubiquity) gives region complexity (ECI), signed to correlate positively with
  diversity and standardized; field complexity (PCI) = U^-1 M^T ECI_raw / lambda, standardized with
  the ECI's mean and standard deviation (so a region's ECI is the mean PCI of its fields);
- complexity (method of reflections): k_r,n = mean over the region's fields of k_f,n-1 and
  k_f,n = mean over the field's regions of k_r,n-1, ``iterations`` times, with the trivial constant
  component removed at each step (see ``complexity_reflections``).

Regions with zero diversity and fields with zero ubiquity get NaN.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentflow.errors import ConfigError


def presence(rca: np.ndarray, threshold: float = 1.0) -> np.ndarray:
    return (np.nan_to_num(np.asarray(rca, dtype=float), nan=0.0) >= threshold).astype(float)


def proximity(M: np.ndarray) -> np.ndarray:
    M = np.asarray(M, dtype=float)
    ubiq = M.sum(axis=0)
    co = M.T @ M
    with np.errstate(divide="ignore", invalid="ignore"):
        phi = co / np.maximum(ubiq[:, None], ubiq[None, :])
    phi[~np.isfinite(phi)] = 0.0
    return phi


def density(M: np.ndarray, phi: np.ndarray | None = None) -> np.ndarray:
    M = np.asarray(M, dtype=float)
    phi = proximity(M) if phi is None else np.asarray(phi, dtype=float)
    col = phi.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (M @ phi) / col[None, :]
    out[:, col <= 0] = np.nan
    return out


def _valid(M: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    M = np.asarray(M, dtype=float)
    if M.ndim != 2:
        raise ConfigError("complexity expects a 2-D presence matrix")
    rows = M.sum(axis=1) > 0
    cols = M.sum(axis=0) > 0
    return M[rows][:, cols], rows, cols


def _expand(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    out = np.full(mask.shape[0], np.nan)
    out[mask] = values
    return out


def complexity_eigen(M: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(ECI per region, PCI per field) in the eigenvector form."""
    Mv, rows, cols = _valid(M)
    if Mv.shape[0] < 2 or Mv.shape[1] < 2:
        return np.full(M.shape[0], np.nan), np.full(M.shape[1], np.nan)
    kc0 = Mv.sum(axis=1)
    kp0 = Mv.sum(axis=0)
    # M~ = D^-1 M U^-1 M^T is similar to the symmetric S = D^-1/2 M U^-1 M^T D^-1/2.
    A = Mv / np.sqrt(kc0)[:, None] / np.sqrt(kp0)[None, :]
    S = A @ A.T
    vals, vecs = np.linalg.eigh(S)
    lam = vals[-2]
    eci_raw = vecs[:, -2] / np.sqrt(kc0)
    if lam <= 1e-12:
        return np.full(M.shape[0], np.nan), np.full(M.shape[1], np.nan)
    pci_raw = (Mv.T @ eci_raw) / kp0 / lam
    corr = np.corrcoef(kc0, eci_raw)[0, 1] if np.std(kc0) > 0 else 1.0
    sign = -1.0 if corr < 0 else 1.0
    eci_raw, pci_raw = sign * eci_raw, sign * pci_raw
    mu, sd = eci_raw.mean(), eci_raw.std()
    if sd == 0:
        return np.full(M.shape[0], np.nan), np.full(M.shape[1], np.nan)
    return _expand((eci_raw - mu) / sd, rows), _expand((pci_raw - mu) / sd, cols)


def complexity_reflections(M: np.ndarray, iterations: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """(ECI per region, PCI per field) by the method of reflections.

    Starting from diversity k_r,0, each pair of reflections maps k_r,n to k_r,n+2 = mean over the
    region's fields of the mean over each field's regions of k_r,n; the trivial (constant) component
    is removed at each step (the left eigenvector of the map is diversity) and the vector rescaled,
    so k_r,n converges to the eigenvector form's ECI. ``iterations`` counts single reflections.
    Field complexity is the mean ECI of the regions holding the field. When the start vector has no
    component along the second eigenvector the method gives no answer (NaN).
    """
    if iterations < 2 or iterations % 2:
        raise ConfigError(f"iterations must be an even number >= 2, got {iterations}")
    Mv, rows, cols = _valid(M)
    nan = np.full(M.shape[0], np.nan), np.full(M.shape[1], np.nan)
    if Mv.shape[0] < 2 or Mv.shape[1] < 2:
        return nan
    kc0 = Mv.sum(axis=1)
    kp0 = Mv.sum(axis=0)
    w = kc0 / kc0.sum()
    kc = kc0.astype(float)
    for _ in range(iterations // 2):
        kp = (Mv.T @ kc) / kp0
        kc = (Mv @ kp) / kc0
        kc = kc - w @ kc
        norm = np.linalg.norm(kc)
        if norm < 1e-12:
            return nan
        kc = kc / norm
    if np.std(kc) == 0:
        return nan
    corr = np.corrcoef(kc0, kc)[0, 1] if np.std(kc0) > 0 else 1.0
    eci = (-1.0 if corr < 0 else 1.0) * (kc - kc.mean()) / kc.std()
    pci = (Mv.T @ eci) / kp0
    return _expand(eci, rows), _expand(pci, cols)


def complexity(M: np.ndarray, method: str = "eigenvector", iterations: int = 40) -> tuple[np.ndarray, np.ndarray]:
    if method == "eigenvector":
        return complexity_eigen(M)
    if method == "reflections":
        return complexity_reflections(M, iterations)
    raise ConfigError(f"complexity method {method!r} is not eigenvector or reflections")


def proximity_frame(phi: np.ndarray, fields: list[str]) -> pd.DataFrame:
    """Long frame field_a, field_b, proximity (a < b)."""
    rows = [{"field_a": fields[i], "field_b": fields[j], "proximity": float(phi[i, j])}
            for i in range(len(fields)) for j in range(i + 1, len(fields))]
    return pd.DataFrame(rows, columns=["field_a", "field_b", "proximity"])
