"""``set_random_seed``: one call makes Python, numpy and kerax randomness repeatable."""

from __future__ import annotations

import random as python_random

import numpy as np

from kerax.random import seed_generator


def set_random_seed(seed: int) -> None:
    """Seed Python's ``random``, numpy's global RNG and kerax's global generator.

    Initializers without an explicit seed, dropout without a seed and fit's
    shuffling all derive from these, so the same seed gives the same run.
    """
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ValueError(f"seed must be an int, received {seed!r}.")
    python_random.seed(seed)
    np.random.seed(seed % (2**32))
    seed_generator.reset_global_seed_generator(seed)
