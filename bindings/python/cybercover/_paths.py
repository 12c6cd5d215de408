"""Locations of the data files shipped inside the package."""

from __future__ import annotations

from pathlib import Path

__all__ = ["default_tables_dir"]


def default_tables_dir() -> str:
    """Return the directory of the rating tables shipped with the package.

    Returns
    -------
    str
        ``<package>/rating_tables``: one sub-directory per edition (``2026-12/``).
    """
    return str(Path(__file__).resolve().parent / "rating_tables")
