"""bench/loss_numpy.py, the benchmark's numpy version of the loss model, simulates the same
model as cybercover.loss: mean annual losses per layer agree within sampling error."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import cybercover
import cybercover.loss as loss
from conftest import SOURCE_DIR
from cybercover.synthetic import generate_portfolio

pytest.importorskip("pandas")
sys.path.insert(0, str(SOURCE_DIR / "bench"))
import loss_numpy  # noqa: E402


def test_numpy_version_simulates_the_same_model(engine):
    p = generate_portfolio(4000, seed=21)
    frame = p.frame.copy()
    frame["provider"] = np.random.default_rng(0).choice(["a", "b"], len(frame))
    book = loss.Book.from_frame(engine, frame, answers=p.answers)
    ours = book.simulate(8000, seed=1)
    model = loss_numpy.load_model(str(SOURCE_DIR / "rating_tables" / book.edition))
    theirs = loss_numpy.simulate(model, loss_numpy.exposures(book), years=4000, seed=1)
    for i, layer in enumerate(book.layers):
        for systemic in (False, True):
            a = ours.layer_loss_yen[:, i] + (ours.layer_systemic_yen[:, i] if systemic else 0)
            b = theirs["layer_loss_yen"][:, i] + (theirs["layer_systemic_yen"][:, i] if systemic else 0)
            se = np.hypot(a.std() / np.sqrt(len(a)), b.std() / np.sqrt(len(b)))
            assert abs(a.mean() - b.mean()) <= 4 * se, (layer, systemic, a.mean(), b.mean())
