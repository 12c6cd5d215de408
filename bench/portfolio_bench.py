#!/usr/bin/python3
"""Portfolio pricing benchmark: the engine's batch API against a numpy/pandas baseline.

One run, side by side, on one synthetic portfolio (cybercover.synthetic, generated once
before any timing):

  (a) full quotes per second per core: ``Engine.quote_arrays`` with ``threads=1`` on numpy
      columns already in the batch's dtypes (target >= 3,000,000 rows/s/core);
  (b) a DataFrame priced end to end: ``Engine.quote_frame(df, threads=2)``, DataFrame in,
      DataFrame out (target < 0.5 s for 1,000,000 companies);
  (c) the same DataFrame priced by ``bench/numpy_baseline.py`` (the whole rate manual in
      vectorised numpy/pandas, one thread), and the speedup (c)/(b) (target >= 10x).

(a) and (b) are the best of ``--repeat`` runs (default 3), (c) the best of
``--baseline-repeat`` runs (default 1). Timings use ``time.perf_counter``. The baseline's
figures are checked against the engine's (every output column equal) before the table is
printed. With ``--baseline-rows M`` < rows the baseline runs on the first M rows and its
time is scaled by rows/M (the output says so).

Usage:
    PYTHONPATH=build/python /usr/bin/python3 bench/portfolio_bench.py [--rows N] [--json out.json]
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
from typing import Any, Callable, Dict, List

import numpy as np
import pandas as pd

import cybercover
from cybercover.synthetic import generate_portfolio

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import numpy_baseline  # noqa: E402

PROGRAM = "sme-cyber-support-2026"
TARGET_ROWS_PER_SECOND_PER_CORE = 3_000_000
TARGET_FRAME_SECONDS = 0.5          # for 1,000,000 rows
TARGET_SPEEDUP = 10.0


def best_of(repeat: int, run: Callable[[], Any]) -> tuple:
    """Return (best seconds, all seconds, the last result)."""
    times: List[float] = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), times, result


def batch_arrays(frame: pd.DataFrame, answers: np.ndarray) -> Dict[str, Any]:
    """Return quote_arrays keywords as numpy columns in the batch's own dtypes (no conversion)."""
    def codes(column: str) -> np.ndarray:
        return np.ascontiguousarray(frame[column].cat.codes.to_numpy(), dtype=np.uint8)

    def ints(column: str) -> np.ndarray:
        return np.ascontiguousarray(frame[column].to_numpy(), dtype=np.int64)

    return {
        "answers": answers,
        "industry": frame["industry"].array,  # a Categorical: int codes + the keys
        "employees": ints("employees"),
        "capital_yen": ints("capital_yen"),
        "revenue_yen": ints("revenue_yen"),
        "endpoints": ints("endpoints"),
        "rubber_products": frame["rubber_products"].to_numpy(dtype=bool),
        "security_action": codes("security_action"),
        "utm": codes("utm"),
        "edr_status": codes("edr_status"),
        "edr_covered_endpoints": ints("edr_covered_endpoints"),
        "edr_installed_on": frame["edr_installed_on"].to_numpy().astype("datetime64[D]"),
        "legacy_os_endpoints": ints("legacy_os_endpoints"),
        "phishing_click_rate": np.ascontiguousarray(frame["phishing_click_rate"].to_numpy(), dtype=np.float64),
        "incidents_3y": ints("incidents_3y"),
        "bundle_plan": codes("bundle_plan"),
        "service_monthly_price_yen": ints("service_monthly_price_yen"),
        "top_up": {s: (ints(f"{s}_limit_yen"), ints(f"{s}_deductible_yen"))
                   for s in ("liability", "response", "interruption")},
    }


def same_figures(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Every figure the baseline computes (b) equals the engine's (a has more columns: error
    codes, the SME test, the edition)."""
    if not set(b.columns) <= set(a.columns):
        return False
    for column in b.columns:
        x, y = a[column], b[column]
        if isinstance(x.dtype, pd.CategoricalDtype):
            x, y = x.astype(object), y.astype(object)
        same = (x.isna() & y.isna()) | (x == y).fillna(False).astype(bool)
        if not same.all():
            return False
    return True


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="portfolio size (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=2026, help="portfolio seed (default 2026)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of (a) and (b); the best counts (default 3)")
    parser.add_argument("--threads", type=int, default=2, help="threads of (b) (default 2)")
    parser.add_argument("--baseline-rows", type=int, default=None,
                        help="price only the first M rows with the baseline and scale (default: all rows)")
    parser.add_argument("--baseline-repeat", type=int, default=1, help="runs of (c); the best counts (default 1)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results to this JSON file")
    args = parser.parse_args(argv)

    command = "cd {} && PYTHONPATH={} {} {}".format(
        shlex.quote(os.getcwd()), shlex.quote(os.environ.get("PYTHONPATH", "")), shlex.quote(sys.executable),
        " ".join(shlex.quote(a) for a in [sys.argv[0], *argv]))
    print(f"reproduce: {command}")
    n = args.rows
    print(f"cybercover {cybercover.__version__}, numpy {np.__version__}, pandas {pd.__version__}, "
          f"python {platform.python_version()}, {os.cpu_count()} CPUs ({platform.machine()})")

    engine = cybercover.Engine()
    start = time.perf_counter()
    portfolio = generate_portfolio(n, seed=args.seed)
    generate_seconds = time.perf_counter() - start
    frame, answers = portfolio.frame, portfolio.answers
    arrays = batch_arrays(frame, answers)
    print(f"portfolio: {n:,} rows, seed {args.seed}, generated in {generate_seconds:.2f} s "
          f"(not timed below); subsidy programme {PROGRAM}")

    # (a) quote_arrays, one thread
    a_best, a_times, a_result = best_of(args.repeat, lambda: engine.quote_arrays(
        quote_date=portfolio.quote_date, subsidy_program=PROGRAM, threads=1, **arrays))
    assert len(a_result.errors) == 0, a_result.errors[:3]
    a_rate = n / a_best

    # (b) quote_frame, DataFrame in, DataFrame out
    b_best, b_times, engine_out = best_of(args.repeat, lambda: engine.quote_frame(
        frame, answers=answers, subsidy_program=PROGRAM, threads=args.threads))
    assert engine_out["ok"].all()

    # (c) the numpy/pandas baseline (tables loaded once, outside the timing, like Engine())
    tables = numpy_baseline.load_tables(Path(cybercover.default_tables_dir()))
    m = n if args.baseline_rows is None else min(n, args.baseline_rows)
    sub_frame, sub_answers = (frame, answers) if m == n else (frame.iloc[:m], answers[:m])
    c_best, c_times, baseline_out = best_of(args.baseline_repeat, lambda: numpy_baseline.price_frame(
        tables, sub_frame, sub_answers, subsidy_program=PROGRAM))
    identical = same_figures(engine_out.iloc[:m], baseline_out)
    c_scaled = c_best * n / m
    speedup = c_scaled / b_best
    speedup_per_core = (c_scaled / n) / (a_best / n)
    frame_target = TARGET_FRAME_SECONDS * n / 1_000_000

    rows = [
        ("(a) quote_arrays, threads=1", f"{a_best:.3f} s", f"{a_rate:,.0f} rows/s/core",
         f">= {TARGET_ROWS_PER_SECOND_PER_CORE:,}/s", a_rate >= TARGET_ROWS_PER_SECOND_PER_CORE),
        (f"(b) quote_frame, threads={args.threads}", f"{b_best:.3f} s", f"{n / b_best:,.0f} rows/s",
         f"< {frame_target:.3g} s", b_best < frame_target),
        ("(c) numpy/pandas baseline, 1 thread", f"{c_scaled:.3f} s" + (" *" if m < n else ""),
         f"{n / c_scaled:,.0f} rows/s", "", None),
        ("    speedup (c)/(b), end to end", f"{speedup:.1f}x", "", f">= {TARGET_SPEEDUP:.0f}x", speedup >= TARGET_SPEEDUP),
        ("    speedup per core (c)/(a)", f"{speedup_per_core:.1f}x", "", "", None),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    header = ("measure", "time", "rate", "target")
    print()
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)) + "  met")
    print("  ".join("-" * w for w in widths) + "  ---")
    for r in rows:
        met = "" if r[4] is None else ("yes" if r[4] else "NO")
        print("  ".join(c.ljust(w) for c, w in zip(r[:4], widths)) + "  " + met)
    print()
    print(f"all runs (s): (a) {', '.join(f'{t:.3f}' for t in a_times)}; "
          f"(b) {', '.join(f'{t:.3f}' for t in b_times)}; (c) {', '.join(f'{t:.3f}' for t in c_times)}")
    if m < n:
        print(f"* the baseline priced the first {m:,} rows in {c_best:.3f} s, scaled linearly to {n:,} rows")
    print(f"baseline figures identical to the engine's on {m:,} rows: {identical}")

    if args.json:
        result = {
            "command": command,
            "rows": n,
            "seed": args.seed,
            "subsidy_program": PROGRAM,
            "edition": portfolio.edition,
            "environment": {
                "cybercover": cybercover.__version__, "numpy": np.__version__, "pandas": pd.__version__,
                "python": platform.python_version(), "cpus": os.cpu_count(), "machine": platform.machine(),
            },
            "generate_seconds": generate_seconds,
            "quote_arrays_threads_1": {"best_seconds": a_best, "runs_seconds": a_times,
                                       "rows_per_second_per_core": a_rate,
                                       "target_rows_per_second_per_core": TARGET_ROWS_PER_SECOND_PER_CORE,
                                       "met": a_rate >= TARGET_ROWS_PER_SECOND_PER_CORE},
            "quote_frame": {"threads": args.threads, "best_seconds": b_best, "runs_seconds": b_times,
                            "target_seconds": frame_target, "met": b_best < frame_target},
            "numpy_baseline": {"rows_priced": m, "best_seconds": c_best, "runs_seconds": c_times,
                               "seconds_scaled_to_rows": c_scaled, "identical_to_engine": identical},
            "speedup_frame_vs_baseline": speedup,
            "speedup_per_core": speedup_per_core,
            "target_speedup": TARGET_SPEEDUP,
            "speedup_met": speedup >= TARGET_SPEEDUP,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
