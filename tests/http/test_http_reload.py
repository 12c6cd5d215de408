"""SIGHUP reloads the tables atomically while traffic flows, with zero failed requests.

Two editions with the same dates and different figures live in a temp dir; `tables` is a
symlink that the test swaps (the way an operator would deploy: an atomic rename) before each
SIGHUP. Every response must be entirely one edition's: its sha256 and its figures are the CLI's
for that edition, and the edition is the one of the tables generation the access log says
priced it. A bad table is then refused: the old edition stays and /metrics reports it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

from harness import SOURCE_DIR, Server, example_request

DEFAULT_EDITION = SOURCE_DIR / "rating_tables" / "2026-12"


def make_edition(root: Path, name: str, edit=None) -> Path:
    d = root / name / "2026-12"
    shutil.copytree(DEFAULT_EDITION, d)
    if edit:
        edit(d)
    return root / name


def raise_utm_rates(edition: Path) -> None:
    p = edition / "base_cover.json"
    text = p.read_text(encoding="utf-8")
    old = '"by_employee_band_yen": [300, 450, 650, 900, 1300]'
    assert old in text
    p.write_text(text.replace(old, '"by_employee_band_yen": [310, 470, 680, 940, 1350]'), encoding="utf-8")


def point_at(link: Path, target: Path) -> None:
    tmp = link.with_name(link.name + ".new")
    if tmp.is_symlink():
        tmp.unlink()
    os.symlink(target, tmp)
    os.replace(tmp, link)  # atomic: the server sees the old directory or the new one


def cli_quote(cli: str, tables: Path, request: Path) -> dict:
    p = subprocess.run([cli, "quote", str(request), "--json", "--tables", str(tables)], capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("timed out")


def test_sighup_reload_during_traffic(tmp_path, cli):
    v1 = make_edition(tmp_path, "v1")
    v2 = make_edition(tmp_path, "v2", raise_utm_rates)
    bad = make_edition(tmp_path, "bad", lambda d: (d / "top_up.json").write_text('{"table": "top_up",', encoding="utf-8"))
    link = tmp_path / "tables"
    point_at(link, v1)
    request_file = tmp_path / "request.json"
    request_file.write_bytes(example_request())
    expected = {1: cli_quote(cli, v1, request_file), 2: cli_quote(cli, v2, request_file)}
    sha = {k: v["tables"]["sha256"] for k, v in expected.items()}
    assert sha[1] != sha[2]
    assert expected[1]["base_cover"]["monthly_premium_yen"] != expected[2]["base_cover"]["monthly_premium_yen"]

    with Server("--threads", "2", workdir=tmp_path, tables=str(link), cli=cli) as s:
        stop = threading.Event()
        outcomes = []  # (request id, status, body) per request
        lock = threading.Lock()

        def traffic(worker: int):
            conn = s.connection()
            n = 0
            while not stop.is_set():
                rid = f"w{worker}-{n}"
                n += 1
                try:
                    r = s.request("POST", "/v1/quote", body=example_request(), headers={"X-Request-Id": rid}, conn=conn)
                    result = (rid, r.status, r.body)
                except Exception as e:  # any failure counts
                    result = (rid, -1, repr(e).encode())
                    conn.close()
                    conn = s.connection()
                with lock:
                    outcomes.append(result)

        threads = [threading.Thread(target=traffic, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        generation = 1
        try:
            for k in range(6):  # v1 -> v2 -> v1 -> ... each under traffic
                time.sleep(0.25)
                target, edition = (v2, 2) if k % 2 == 0 else (v1, 1)
                point_at(link, target)
                s.send_signal(signal.SIGHUP)
                generation += 1
                tables = wait_for(lambda: (lambda t: t if t["generation"] == generation else None)(s.get("/v1/tables").json()))
                assert tables["editions"][0]["sha256"] == sha[edition]  # the new edition's sha256 shows up
                m = s.metrics()
                assert m[("cybercover_tables_generation", ())] == generation
                assert any(name == "cybercover_tables_edition_info" and dict(labels)["sha256"] == sha[edition]
                           for name, labels in m)
            time.sleep(0.25)
            # A bad table: refused, the edition in force stays, /metrics says so.
            in_force = s.get("/v1/tables").json()
            point_at(link, bad)
            s.send_signal(signal.SIGHUP)
            m = wait_for(lambda: (lambda m: m if m[("cybercover_tables_reloads_total", (("result", "failure"),))] == 1
                                  else None)(s.metrics()))
            assert m[("cybercover_tables_last_reload_success", ())] == 0
            assert m[("cybercover_tables_last_reload_error_info", (("code", "table.malformed_json"),))] == 1
            assert m[("cybercover_tables_reloads_total", (("result", "success"),))] == 6
            assert m[("cybercover_tables_generation", ())] == generation
            assert s.get("/v1/tables").json() == in_force
            time.sleep(0.25)  # traffic goes on, on the old edition
        finally:
            stop.set()
            for t in threads:
                t.join(30)
        event = next(e for e in s.events if e.get("event") == "reload" and not e["ok"])
        assert event["error_code"] == "table.malformed_json" and "top_up.json" in event["error"]

        # Zero failed requests, each wholly one edition's.
        assert len(outcomes) > 200
        failed = [(rid, status, body[:200]) for rid, status, body in outcomes if status != 200]
        assert not failed, failed[:5]
        time.sleep(0.2)
        log = {l["request_id"]: l for l in s.access_log_lines()}
        seen_generations = set()
        for rid, _, body in outcomes:
            g = log[rid]["tables_generation"]
            seen_generations.add(g)
            edition = 1 if g % 2 == 1 else 2  # generations 1, 3, 5, 7 are v1; 2, 4, 6 are v2
            assert json.loads(body) == expected[edition], (rid, g)
        assert seen_generations == set(range(1, generation + 1)), seen_generations
    assert s.proc.returncode == 0
