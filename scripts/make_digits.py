"""Regenerate grader/data/digits.npz from scikit-learn's copy of the UCI digits.

    python scripts/make_digits.py [--out grader/data/digits.npz]

The 1797 8x8 images of handwritten digits that ship with scikit-learn
(``sklearn.datasets.load_digits``; UCI "Optical Recognition of Handwritten Digits",
CC BY 4.0) are stored as ``images`` (uint8, values 0..16, shape (1797, 8, 8)) and
``labels`` (int64, shape (1797,)), so the grader reads them with numpy alone.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "grader" / "data" / "digits.npz"


def digits_arrays() -> dict[str, np.ndarray]:
    from sklearn.datasets import load_digits  # only this script needs scikit-learn

    bunch = load_digits()
    images = bunch.images
    if images.min() < 0 or images.max() > 16 or not np.array_equal(images, np.round(images)):
        raise ValueError("expected integer pixel values in 0..16")
    return {"images": images.astype(np.uint8), "labels": bunch.target.astype(np.int64)}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    out = parser.parse_args(argv).out
    out.parent.mkdir(parents=True, exist_ok=True)
    arrays = digits_arrays()
    np.savez_compressed(out, **arrays)
    print(f"wrote {out} ({out.stat().st_size} bytes): images {arrays['images'].shape}, "
          f"labels {arrays['labels'].shape}")


if __name__ == "__main__":
    main()
