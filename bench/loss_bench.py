#!/usr/bin/python3
"""Loss-model simulation benchmark: cybercover.loss against a numpy version of the same model.

One run, side by side, on one synthetic book (cybercover.synthetic, priced once with
Engine.quote_frame before any timing; five managed-service providers):

  (a) company-years per second on one core: ``Book.simulate(threads=1)`` (target >= 150M/s);
  (b) the same on both cores: ``Book.simulate(threads=2)`` (target >= 250M/s);
  (c) the numpy version of the same model (bench/loss_numpy.py, one thread), and the ratio
      (a)/(c) (target >= 5x).

Each figure is the best of ``--repeat`` runs, timed with ``time.perf_counter`` (wall clock);
the CPU time of (a) and (c) is shown too, as the machine may be shared. The numpy version runs
fewer years (``--numpy-years``): its rate does not depend on the number of years. Before the
table, the two are checked to simulate the same model: their mean annual losses per layer
agree within 4 standard errors.

Usage:
    PYTHONPATH=build/python /usr/bin/python3 bench/loss_bench.py [--companies N] [--years Y] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

import numpy as np

import cybercover
import cybercover.loss as loss
from cybercover.synthetic import generate_portfolio

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True
import loss_numpy  # noqa: E402

TARGET_PER_CORE = 150e6
TARGET_TWO_CORES = 250e6
TARGET_RATIO = 5.0
PROVIDERS = ["provider_a", "provider_b", "provider_c", "provider_d", "provider_e"]
SHARES = [0.35, 0.25, 0.2, 0.12, 0.08]


def best_of(repeat: int, run: Callable[[], Any]) -> Tuple[float, float, Any]:
    """Return (best wall seconds, CPU seconds of that run, the last result)."""
    best, cpu, result = float("inf"), 0.0, None
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        result = run()
        w, c = time.perf_counter() - w, time.process_time() - c
        if w < best:
            best, cpu = w, c
    return best, cpu, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--companies", type=int, default=100_000)
    parser.add_argument("--years", type=int, default=20_000)
    parser.add_argument("--numpy-years", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", type=str, default=None)
    args = parser.parse_args()

    engine = cybercover.Engine()
    portfolio = generate_portfolio(args.companies, seed=args.seed)
    frame = portfolio.frame.copy()
    frame["provider"] = np.random.default_rng(args.seed).choice(PROVIDERS, len(frame), p=SHARES)
    book = loss.Book.from_frame(engine, frame, answers=portfolio.answers)
    model = loss_numpy.load_model(str(Path(cybercover.default_tables_dir()) / book.edition))
    exposure = loss_numpy.exposures(book)
    n = len(book)

    one_wall, one_cpu, result = best_of(args.repeat, lambda: book.simulate(args.years, seed=1, threads=1))
    two_wall, _, _ = best_of(args.repeat, lambda: book.simulate(args.years, seed=1, threads=2))
    np_wall, np_cpu, numpy_result = best_of(
        max(1, args.repeat - 1), lambda: loss_numpy.simulate(model, exposure, years=args.numpy_years, seed=1))

    # the same model: per-layer means within 4 standard errors (the numpy run is shorter)
    checks = []
    for i, layer in enumerate(book.layers):
        for systemic in (False, True):
            ours = result.layer_loss_yen[:, i] + (result.layer_systemic_yen[:, i] if systemic else 0)
            theirs = numpy_result["layer_loss_yen"][:, i] + (numpy_result["layer_systemic_yen"][:, i] if systemic else 0)
            se = np.hypot(ours.std() / np.sqrt(len(ours)), theirs.std() / np.sqrt(len(theirs)))
            checks.append((layer, systemic, ours.mean(), theirs.mean(), abs(ours.mean() - theirs.mean()) <= 4 * se + 1))
    same_model = all(ok for *_, ok in checks)

    rate = lambda years, seconds: n * years / seconds  # noqa: E731
    figures = {
        "companies": n,
        "years": args.years,
        "numpy_years": args.numpy_years,
        "cybercover_1_thread_per_s": rate(args.years, one_wall),
        "cybercover_1_thread_cpu_per_s": rate(args.years, one_cpu),
        "cybercover_2_threads_per_s": rate(args.years, two_wall),
        "numpy_per_s": rate(args.numpy_years, np_wall),
        "numpy_cpu_per_s": rate(args.numpy_years, np_cpu),
        "same_model": same_model,
        "machine": f"{platform.machine()} {os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}",
        "command": " ".join(shlex.quote(a) for a in sys.argv),
    }
    figures["ratio_1_thread_vs_numpy"] = figures["cybercover_1_thread_per_s"] / figures["numpy_per_s"]
    figures["ratio_1_thread_vs_numpy_cpu"] = figures["cybercover_1_thread_cpu_per_s"] / figures["numpy_cpu_per_s"]

    print(f"book: {n:,} companies, {len(book.providers)} providers, edition {book.edition}")
    print("same model (mean annual loss per layer, cybercover vs numpy):")
    for layer, systemic, ours, theirs, ok in checks:
        print(f"  {layer:<13} {'with' if systemic else 'w/o ':>4} systemic  {ours:>16,.0f} {theirs:>16,.0f}  {'ok' if ok else 'DIFFERS'}")
    print()
    print(f"{'':<40}{'company-years/s':>18}{'target':>14}")
    print(f"{'(a) cybercover, 1 thread':<40}{figures['cybercover_1_thread_per_s'] / 1e6:>16.1f}M{'>= 150M':>14}"
          f"   (CPU time: {figures['cybercover_1_thread_cpu_per_s'] / 1e6:.1f}M)")
    print(f"{'(b) cybercover, 2 threads':<40}{figures['cybercover_2_threads_per_s'] / 1e6:>16.1f}M{'>= 250M':>14}")
    print(f"{'(c) numpy, 1 thread':<40}{figures['numpy_per_s'] / 1e6:>16.1f}M{'':>14}"
          f"   (CPU time: {figures['numpy_cpu_per_s'] / 1e6:.1f}M)")
    print(f"{'(a)/(c)':<40}{figures['ratio_1_thread_vs_numpy']:>16.1f}x{'>= 5x':>14}"
          f"   (CPU time: {figures['ratio_1_thread_vs_numpy_cpu']:.1f}x)")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    if not same_model:
        sys.exit("the numpy version and cybercover disagree: not the same model")


if __name__ == "__main__":
    main()
