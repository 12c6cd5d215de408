"""Price a partitioned portfolio with dask on a local cluster of two worker processes.

Each partition is a pandas DataFrame in the CSV layout of ``cybercover price`` (one column per
request field and one per questionnaire item); every worker prices its partitions with
``Engine.quote_frame``. The Engine travels to the workers pickled (the pickle carries the
rating table files, so a worker needs no access to the tables directory) and is loaded once
per worker process.

Run from the build (Debian's python3 has numpy, pandas, dask and distributed)::

    PYTHONPATH=build/python /usr/bin/python3 examples/dask_portfolio.py --rows 200000 --partitions 8
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
from distributed import Client, LocalCluster

import cybercover

SUBSIDY = "sme-cyber-support-2026"
INDUSTRIES = [
    "manufacturing", "construction", "transport_logistics", "wholesale", "retail", "restaurant",
    "accommodation", "services", "software_it", "medical_welfare", "finance_insurance_agency", "other",
]
LIMITS = {
    "liability": [10_000_000, 30_000_000, 50_000_000, 100_000_000, 300_000_000],
    "response": [5_000_000, 10_000_000, 30_000_000],
    "interruption": [5_000_000, 10_000_000],
}


def item_ids(engine: cybercover.Engine) -> List[str]:
    """Return the questionnaire's item ids, in order, of the engine's first edition."""
    edition = engine.editions[0]["edition"]
    path = Path(cybercover.default_tables_dir()) / edition / "questionnaire.json"
    with path.open(encoding="utf-8") as f:
        return [item["id"] for item in json.load(f)["items"]]


def make_portfolio(n: int, ids: List[str], seed: int = 2026) -> pd.DataFrame:
    """Return `n` random (valid) companies as a portfolio frame, the same for the same seed."""
    rng = np.random.default_rng(seed)
    employees = rng.choice([5, 15, 30, 45, 80, 150, 250, 400], n)
    endpoints = employees + rng.integers(0, 20, n)
    utm = rng.choice(["none", "unmanaged", "managed"], n, p=[0.3, 0.2, 0.5])
    edr = rng.choice(["none", "self_managed", "managed"], n, p=[0.4, 0.2, 0.4])
    quote_date = np.datetime64("2026-12-01") + rng.integers(0, 180, n)
    plan = np.where(
        (utm == "managed") & (edr == "managed"), "utm_edr",
        np.where(utm == "managed", "utm", np.where(edr == "managed", "edr", "none")),
    )
    plan = np.where(rng.random(n) < 0.2, "none", plan)
    frame: Dict[str, Any] = {
        "quote_date": quote_date.astype("datetime64[D]"),
        "industry": pd.Categorical(rng.choice(INDUSTRIES, n), categories=INDUSTRIES),
        "employees": employees,
        "capital_yen": rng.choice([3, 10, 50, 100, 300, 1000], n) * 1_000_000,
        "revenue_yen": rng.integers(10, 12_000, n) * 1_000_000,
        "endpoints": endpoints,
        "security_action": rng.choice(["none", "one_star", "two_star"], n),
        "utm": utm,
        "edr_status": edr,
        "edr_covered_endpoints": np.where(edr == "none", 0, np.maximum(1, endpoints - rng.integers(0, 5, n))),
        "edr_installed_on": np.where(edr == "managed", quote_date - rng.integers(0, 400, n), np.datetime64("NaT")),
        "legacy_os_endpoints": np.where(rng.random(n) < 0.15, 1, 0),
        "phishing_click_rate": np.where(rng.random(n) < 0.5, np.nan, rng.integers(0, 30, n) / 100),
        "incidents_3y": rng.choice([0, 0, 0, 1, 2], n),
        "bundle_plan": plan,
    }
    for section, limits in LIMITS.items():
        frame[f"{section}_limit_yen"] = np.where(rng.random(n) < 0.7, rng.choice(limits, n), 0)
    quality = rng.random((n, 1))
    answers = np.where(rng.random((n, len(ids))) < quality, 1, rng.choice([2, 3, 4], (n, len(ids))))
    for j, item in enumerate(ids):
        frame[item] = answers[:, j].astype(np.uint8)
    return pd.DataFrame(frame)


def price_partition(part: pd.DataFrame, engine: cybercover.Engine) -> pd.DataFrame:
    """Price one partition (runs on a worker; one thread, the worker's process is the unit)."""
    return engine.quote_frame(part, subsidy_program=SUBSIDY, threads=1, errors="collect")


@contextlib.contextmanager
def workers_can_import() -> Iterator[None]:
    """Let the worker processes import this module, so price_partition unpickles by name.

    multiprocessing's spawn gives each worker this process's ``sys.path`` (which already
    finds cybercover): add this file's directory to it while the workers start.
    """
    here = str(Path(__file__).resolve().parent)
    added = here not in sys.path
    if added:
        sys.path.insert(0, here)
    try:
        yield
    finally:
        if added:
            sys.path.remove(here)


def totals(priced: pd.DataFrame) -> Dict[str, Any]:
    """Return the portfolio's headline figures (row counts and premium sums in yen)."""
    ok = priced[priced["ok"]]
    return {
        "rows": len(priced),
        "errors": int((~priced["ok"]).sum()),
        "by_tier": {str(k): int(v) for k, v in ok["tier"].value_counts(sort=False).items()},
        "by_outcome": {str(k): int(v) for k, v in ok["outcome"].value_counts(sort=False).items()},
        "base_annual_premium_yen": int(ok["base_annual_premium_yen"].sum()),
        "top_up_annual_premium_yen": int(ok["annual_premium_yen"].sum()),
        "subsidy_yen": int(ok["subsidy_yen"].sum()),
        "payable_annual_yen": int(ok["payable_annual_yen"].sum()),
    }


def main(n: int = 100_000, partitions: int = 8, *, workers: int = 2, seed: int = 2026, verbose: bool = True) -> pd.DataFrame:
    """Price `n` random companies in `partitions` partitions on `workers` processes.

    Returns
    -------
    pandas.DataFrame
        The priced portfolio (``Engine.quote_frame`` columns), index 0 .. n-1.
    """
    engine = cybercover.Engine()
    portfolio = make_portfolio(n, item_ids(engine), seed)
    meta = engine.quote_frame(portfolio.iloc[:0], subsidy_program=SUBSIDY)
    with workers_can_import(), LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, Client(cluster):
        start = time.perf_counter()
        shipped = dask.delayed(engine)  # pickled once into the graph, sent to each worker that needs it
        ddf = dd.from_pandas(portfolio, npartitions=partitions)
        priced = ddf.map_partitions(price_partition, shipped, meta=meta).compute()
        seconds = time.perf_counter() - start
    if verbose:
        print(f"priced {n:,} companies in {partitions} partitions on {workers} workers: {seconds:.2f} s")
        print(json.dumps(totals(priced), indent=2, ensure_ascii=False))
    return priced


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    main(args.rows, args.partitions, workers=args.workers, seed=args.seed)
