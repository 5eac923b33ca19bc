"""Validation of user tables for the models: errors name the file, the row and the field."""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from talentflow.errors import InputError


def reject_first(mask: pd.Series, name: str, describe: Callable[[int], str]) -> None:
    """Raise InputError for the first row where ``mask`` is true: '<name>: row <n><describe(row)>'."""
    if mask.any():
        row = int(np.flatnonzero(mask.to_numpy())[0])
        raise InputError(f"{name}: row {row + 1}{describe(row)}")
