"""Hostile traffic (tests/http/hostile.py) with a moderate count: every request gets its status
and error code, the server stays up and keeps serving, and its memory stays flat. The full run
of >= 10,000 requests is bench/http_hostile.py."""

from __future__ import annotations

import hostile
from harness import Server, example_request


def test_hostile_traffic_gets_the_right_answers(tmp_path, cli):
    with Server("--read-timeout", "1", "--idle-timeout", "2", "--threads", "2", "--workers", "2",
                workdir=tmp_path, cli=cli, access_log=False) as s:
        warm = hostile.run(s, 300, seed=1)
        assert not warm.mismatches, warm.mismatches[:5]
        rss_before = s.rss_kb()
        report = hostile.run(s, 1500, seed=2)
        rss_after = s.rss_kb()
        assert not report.mismatches, report.mismatches[:5]
        assert report.requests >= 1500 and set(report.by_kind) == set(hostile.KINDS)
        assert s.alive()
        assert s.post("/v1/quote", example_request()).status == 200
        # No leak: 1,500 more hostile requests (10 MB bodies among them) leave the RSS
        # within 24 MiB of where the warm-up left it.
        assert rss_after - rss_before < 24 * 1024, (rss_before, rss_after)
        print(f"hostile: {report.requests} requests in {report.elapsed_s:.1f} s, "
              f"RSS {rss_before} -> {rss_after} kB, kinds {dict(report.by_kind)}")
