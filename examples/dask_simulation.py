"""Simulate a book split over the workers of a dask LocalCluster, and get exactly the in-process result.

The book (a synthetic portfolio with a provider per company) is cut into partitions of rows.
Each worker builds the loss book of its partition with ``cybercover.loss.Book.from_frame``
(pricing its rows with ``Engine.quote_frame``) and simulates it; the client merges the parts'
results with ``cybercover.loss.merge``. Every company draws its random numbers from streams
keyed by the seed and its row in the whole book (the partition's index), and every sum is an
integer sum, so the merged result equals, to the last yen, the simulation of the whole book in
one process.

Run from the build (Debian's python3 has numpy, pandas, dask and distributed)::

    PYTHONPATH=build/python /usr/bin/python3 examples/dask_simulation.py --companies 100000 --years 10000
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from pathlib import Path
from typing import Iterator, List, Tuple

import dask
import numpy as np
import pandas as pd
from distributed import Client, LocalCluster

import cybercover
import cybercover.loss as loss
from cybercover.synthetic import generate_portfolio

PROVIDERS = ["provider_a", "provider_b", "provider_c", "provider_d", "provider_e"]
SHARES = [0.35, 0.25, 0.2, 0.12, 0.08]


def make_book(companies: int, seed: int) -> Tuple[pd.DataFrame, np.ndarray]:
    """Return a synthetic book (the quote_frame columns plus ``provider``) and its answers."""
    p = generate_portfolio(companies, seed=seed)
    frame = p.frame.copy()
    frame["provider"] = np.random.default_rng(seed).choice(PROVIDERS, companies, p=SHARES)
    return frame, p.answers


def simulate_part(engine: cybercover.Engine, part: pd.DataFrame, answers: np.ndarray, years: int,
                  seed: int) -> loss.SimulationResult:
    """Simulate one partition (runs on a worker). The partition keeps the rows' positions in the
    whole book as its index: they key the companies' random streams."""
    book = loss.Book.from_frame(engine, part, answers=answers, threads=1)
    return book.simulate(years, seed=seed, threads=1)


@contextlib.contextmanager
def workers_can_import() -> Iterator[None]:
    """Let the worker processes import this module, so simulate_part unpickles by name."""
    here = str(Path(__file__).resolve().parent)
    added = here not in sys.path
    if added:
        sys.path.insert(0, here)
    try:
        yield
    finally:
        if added:
            sys.path.remove(here)


def partitions(n: int, parts: int) -> List[Tuple[int, int]]:
    """Row ranges of `parts` partitions of unequal sizes (any split gives the same result)."""
    cuts = np.unique(np.r_[0, np.sort(np.random.default_rng(parts).integers(1, n, parts - 1)), n])
    return list(zip(cuts[:-1], cuts[1:]))


def main(companies: int = 20_000, years: int = 2_000, parts: int = 6, *, workers: int = 2, seed: int = 7,
         verbose: bool = True) -> Tuple[loss.SimulationResult, loss.SimulationResult]:
    """Simulate the book on `workers` dask worker processes and in this process.

    Returns
    -------
    (distributed, in_process) : tuple of cybercover.loss.SimulationResult
        The merged result of the partitions and the whole book's; equal to the last yen.
    """
    engine = cybercover.Engine()
    frame, answers = make_book(companies, seed=2026)
    with workers_can_import(), LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                            dashboard_address=None) as cluster, Client(cluster):
        start = time.perf_counter()
        shipped = dask.delayed(engine)  # pickled once into the graph (it carries the table files)
        tasks = [dask.delayed(simulate_part)(shipped, frame.iloc[a:b], answers[a:b], years, seed)
                 for a, b in partitions(len(frame), parts)]
        distributed = loss.merge(dask.compute(*tasks))
        seconds = time.perf_counter() - start
    start = time.perf_counter()
    in_process = loss.Book.from_frame(engine, frame, answers=answers).simulate(years, seed=seed)
    local = time.perf_counter() - start
    if verbose:
        same = all(np.array_equal(getattr(distributed, a), getattr(in_process, a))
                   for a in ("layer_loss_yen", "layer_systemic_yen", "tier_loss_yen", "plan_loss_yen", "max_incident_yen",
                             "event_paid_yen"))
        print(f"{companies:,} companies x {years:,} years in {parts} parts on {workers} workers: {seconds:.2f} s "
              f"(in process: {local:.2f} s); identical: {same}")
        print(distributed.summary().loc[[("total", False), ("total", True)], ["mean", "var_99_5", "tvar_99_5"]])
    return distributed, in_process


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--companies", type=int, default=20_000)
    parser.add_argument("--years", type=int, default=2_000)
    parser.add_argument("--parts", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    main(args.companies, args.years, args.parts, workers=args.workers, seed=args.seed)
