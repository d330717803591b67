"""One seeding routine for every training run in research/ (MER, speech emotion, ...).

Why one: a run is reproducible only when every source of randomness is fixed the same way;
a copy per trainer drifts (one forgets Python's `random`, another the deterministic kernels).
torch is imported inside the function so importing this module stays light.
"""

from __future__ import annotations

import random

import numpy as np


def seed_everything(seed: int, threads: int) -> None:
    """Fixed seeds (Python, NumPy, torch), deterministic torch kernels and a fixed thread
    count: the same command gives the same numbers."""
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(threads)
