"""Arrays fitted for one embedding model, kept in the package beside the code that reads them
(the question map, the "not covered" model's precedents): each file names the model it was
made with, since vectors of another model would be compared with this one's meaninglessly."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)


def save_for_model(path: Path, model_id: str, **arrays: np.ndarray) -> None:
    """Written beside and renamed, so never half a file."""
    partial = path.with_name(path.name + ".partial.npz")
    # typed Any: numpy's stubs read ** as its own keyword arguments (allow_pickle)
    named: dict[str, Any] = {"model_id": np.array(model_id), **arrays}
    np.savez_compressed(partial, **named)
    partial.replace(path)


def load_for_model(path: Path, model_id: str) -> dict[str, np.ndarray] | None:
    """The file's arrays, or None when there is no file or it was made for another model."""
    if not path.is_file():
        return None
    with np.load(path) as data:
        arrays = {name: data[name] for name in data.files}
    made_for = str(arrays.pop("model_id"))
    if made_for != model_id:
        log.warning("%s was made for %s, not %s: not used", path, made_for, model_id)
        return None
    return arrays
