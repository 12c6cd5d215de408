#!/usr/bin/env python3
"""The full hostile-traffic run (tests/http/hostile.py): >= 10,000 malformed or abusive requests
against `cybercover serve`, each of which must get its status and error code; the server must
stay up, and its RSS (VmRSS) must stay flat: after a warm-up round, a second and a third round
of the same size may not grow it by more than the bound.

Usage: /usr/bin/python3 bench/http_hostile.py [BUILD_DIR] [--count N] [--rss-bound-mib M]
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "http"))
import hostile  # noqa: E402
from harness import Server, example_request  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("build", nargs="?", default="build")
    parser.add_argument("--count", type=int, default=12000)
    parser.add_argument("--rss-bound-mib", type=int, default=32)
    args = parser.parse_args()
    cli = str(Path(args.build) / "tools" / "cybercover")
    with tempfile.TemporaryDirectory() as tmp, \
            Server("--read-timeout", "1", "--idle-timeout", "2", workdir=Path(tmp), cli=cli, access_log=False) as s:
        rss = [s.rss_kb()]
        warm = hostile.run(s, 2000, seed=100)
        rss.append(s.rss_kb())
        reports = []
        for seed in (101, 102):
            reports.append(hostile.run(s, args.count // 2, seed=seed))
            rss.append(s.rss_kb())
        alive = s.alive() and s.post("/v1/quote", example_request()).status == 200
        total = sum(r.requests for r in reports)
        mismatches = warm.mismatches + [m for r in reports for m in r.mismatches]
        kinds = {}
        for r in reports:
            for k, v in r.by_kind.items():
                kinds[k] = kinds.get(k, 0) + v
        growth = rss[-1] - rss[1]
        print(f"hostile requests: {total} (+ {warm.requests} warm-up) in {sum(r.elapsed_s for r in reports):.1f} s")
        print(f"by kind: {dict(sorted(kinds.items()))}")
        print(f"wrong answers: {len(mismatches)}; server alive and serving: {alive}")
        print(f"VmRSS kB: start {rss[0]}, after warm-up {rss[1]}, after round 1 {rss[2]}, after round 2 {rss[3]} "
              f"(growth after warm-up {growth} kB, bound {args.rss_bound_mib} MiB)")
        for m in mismatches[:10]:
            print("  " + m)
        ok = not mismatches and alive and growth < args.rss_bound_mib * 1024
        code = s.stop()
        print(f"server exit code after SIGTERM: {code}")
        return 0 if ok and code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
