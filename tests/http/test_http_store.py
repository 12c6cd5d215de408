"""The quote and policy register over real HTTP (`cybercover serve --store URL`), on SQLite and
on PostgreSQL: every endpoint and status (checked against docs/openapi.yaml), 503 when the
store is down, locked or full, a reload of the tables between issue and bind, kill -9 during
a burst of binds, two server instances on one database, and SQL in ids, keys and months.

Run: CYBERCOVER_CLI=build/tools/cybercover CYBERCOVER_TEST_POSTGRES_URL_FILE=DIR/url \\
     /usr/bin/python3 -m pytest -q tests/http/test_http_store.py
(DIR from scripts/postgres_for_tests.sh start DIR; CTest does this.)
"""

from __future__ import annotations

import copy
import json
import os
import secrets
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

from harness import SOURCE_DIR, Server
from openapi_check import OpenApi

API = OpenApi()
RECORDED = []  # (path, method, response) of every store response, for the OpenAPI check
QUESTIONNAIRE = SOURCE_DIR / "rating_tables" / "2026-12" / "questionnaire.json"
POSTGRES_SCRIPT = SOURCE_DIR / "scripts" / "postgres_for_tests.sh"
TODAY = "2026-12-15"


def example_1() -> dict:
    """docs/rating_rules.md §8 worked example 1: top-up ¥35,800 a year, base cover ¥765 a month."""
    items = [i["id"] for i in json.loads(QUESTIONNAIRE.read_text(encoding="utf-8"))["items"]]
    return {
        "quote_date": "2026-12-15",
        "company": {"industry": "manufacturing", "employees": 40, "capital_yen": 50000000,
                    "revenue_yen": 400000000, "endpoints": 48},
        "security_action": "two_star",
        "answers": {i: "yes" for i in items},
        "controls": {"utm": "managed", "edr": {"status": "managed", "covered_endpoints": 45, "installed_on": "2026-11-10"},
                     "legacy_os_endpoints": 0, "incidents_3y": 1, "phishing_click_rate": 0.04},
        "bundle_plan": "utm_edr",
        "top_up": {"liability": {"limit_yen": 100000000},
                   "response": {"limit_yen": 10000000, "deductible_yen": 100000},
                   "interruption": {"limit_yen": 10000000, "deductible_yen": 500000}},
        "subsidy_program": "sme-cyber-support-2026",
        "service_monthly_price_yen": 80000,
    }


EXAMPLE = json.dumps(example_1()).encode()


def call(srv: Server, method: str, path: str, body=None, key=None, conn=None):
    headers = {"Idempotency-Key": key} if key else {}
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    r = srv.request(method, path, body=data, headers=headers, conn=conn)
    RECORDED.append((path, method, r))
    return r


def postgres_base() -> str:
    path = os.environ.get("CYBERCOVER_TEST_POSTGRES_URL_FILE")
    if not path or not Path(path).exists():
        pytest.fail("no PostgreSQL for the tests: CTest starts one (postgres_start); by hand run "
                    "scripts/postgres_for_tests.sh start DIR and set CYBERCOVER_TEST_POSTGRES_URL_FILE=DIR/url")
    return Path(path).read_text().strip()


def psql(url: str, sql: str) -> str:
    return subprocess.run(["psql", "-At", "-q", url, "-c", sql], check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite://{tmp_path / 'store.db'}"
        return
    base = postgres_base()
    schema = "http_" + secrets.token_hex(8)
    psql(base, f"CREATE SCHEMA {schema}")
    yield f"{base}?options=-csearch_path%3D{schema}"
    psql(base, f"DROP SCHEMA {schema} CASCADE")


def serve(store_url: str, workdir: Path, *args: str, cli=None, today: str = TODAY) -> Server:
    return Server("--store", store_url, "--store-today", today, "--threads", "2", "--workers", "2", *args,
                  workdir=workdir, cli=cli, access_log=False)


def counts(store_url: str):
    """(policies, distinct bound quotes, quotes) read straight from the database."""
    if store_url.startswith("sqlite://"):
        with sqlite3.connect(store_url[len("sqlite://"):]) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            p, d = db.execute("SELECT COUNT(*), COUNT(DISTINCT quote_id) FROM policies").fetchone()
            q = db.execute("SELECT COUNT(*) FROM quotes").fetchone()[0]
            b = db.execute("SELECT COUNT(*) FROM quotes WHERE status = 'bound'").fetchone()[0]
            return p, d, q, b
    base, options = store_url.split("?options=-csearch_path%3D")
    row = psql(base, f"SELECT (SELECT COUNT(*) FROM {options}.policies), (SELECT COUNT(DISTINCT quote_id) FROM "
                     f"{options}.policies), (SELECT COUNT(*) FROM {options}.quotes), "
                     f"(SELECT COUNT(*) FROM {options}.quotes WHERE status = 'bound')")
    return tuple(int(x) for x in row.split("|"))


def quote_ids(store_url: str):
    """Every quote id in the database, read straight from it (acknowledged or not)."""
    if store_url.startswith("sqlite://"):
        with sqlite3.connect(store_url[len("sqlite://"):]) as db:
            return [r[0] for r in db.execute("SELECT id FROM quotes ORDER BY id")]
    base, schema = store_url.split("?options=-csearch_path%3D")
    return psql(base, f"SELECT id FROM {schema}.quotes ORDER BY id").split()


def test_every_store_endpoint_and_status(store_url, tmp_path, cli):
    with serve(store_url, tmp_path, cli=cli) as srv:
        issued = call(srv, "POST", "/v1/quotes/issue", EXAMPLE)
        assert issued.status == 201, issued.body
        q = issued.json()
        assert q["valid_until"] == "2027-01-14" and q["status"] == "issued"
        assert q["top_up_annual_premium_yen"] == 35800 and q["base_monthly_premium_yen"] == 765
        # The stored response is the engine's: byte for byte what POST /v1/quote answers.
        assert json.dumps(q["response"], sort_keys=True) == json.dumps(srv.post("/v1/quote", EXAMPLE).json(), sort_keys=True)
        got = call(srv, "GET", f"/v1/quotes/{q['id']}")
        assert got.status == 200 and got.json()["request"] == example_1()

        bound = call(srv, "POST", f"/v1/quotes/{q['id']}/bind", {"start_date": "2026-12-20"}, key="order-1")
        assert bound.status == 201, bound.body
        policy = bound.json()["policy"]
        assert bound.json()["replayed"] is False
        assert policy["top_up"]["annual_premium_yen"] == 35800 and policy["top_up"]["end_date"] == "2027-12-19"
        again = call(srv, "POST", f"/v1/quotes/{q['id']}/bind", {"start_date": "2026-12-20"}, key="order-1")
        assert again.status == 200 and again.json()["replayed"] is True and again.json()["policy"]["id"] == policy["id"]
        conflict = call(srv, "POST", f"/v1/quotes/{q['id']}/bind", {"start_date": "2026-12-20"}, key="order-2")
        assert conflict.status == 409 and conflict.error_code == "store.quote_already_bound"
        assert policy["id"] in conflict.json()["error"]["detail"]
        reused = call(srv, "POST", f"/v1/quotes/{q['id']}/bind", {"start_date": "2026-12-21"}, key="order-1")
        assert reused.status == 409 and reused.error_code == "store.idempotency_key_reused"
        assert call(srv, "POST", "/v1/quotes/q-nope/bind", {"start_date": "2026-12-20"}).status == 404
        assert call(srv, "GET", "/v1/quotes/q-nope").status == 404
        for bad, code in [({"start_date": "2026-12-14"}, "store.invalid_start_date"),
                          ({"start_date": "20261220"}, "input.invalid_date"),
                          ({}, "input.missing"), ({"start_date": "2026-12-20", "x": 1}, "input.unknown_field"),
                          (b'{"start_date":"2026-12-20","start_date":"2026-12-21"}', "input.duplicate_field"),
                          (b"[1]", "input.wrong_type"), (b"{", "input.malformed_json")]:
            fresh = call(srv, "POST", "/v1/quotes/issue", EXAMPLE).json()["id"]
            r = call(srv, "POST", f"/v1/quotes/{fresh}/bind", bad)
            assert (r.status, r.error_code) == (400, code), (bad, r.body)
        bad_key = call(srv, "POST", f"/v1/quotes/{fresh}/bind", {"start_date": "2026-12-20"}, key="x" * 256)
        assert (bad_key.status, bad_key.error_code) == (400, "store.bad_idempotency_key")

        assert call(srv, "GET", f"/v1/policies/{policy['id']}").json()["subscription"][0]["monthly_premium_yen"] == 765
        assert call(srv, "GET", "/v1/policies/p-nope").status == 404
        assert call(srv, "POST", "/v1/policies/p-nope/cancel", {"effective_date": "2027-01-01"}).status == 404
        assert call(srv, "POST", "/v1/policies/p-nope/change",
                    {"effective_date": "2027-01-01", "changes": {"company": {"endpoints": 60}}}).status == 404
        assert call(srv, "POST", "/v1/policies/p-nope/cancel", {"effective_date": "1"}).status == 400
        bad_issue = call(srv, "POST", "/v1/quotes/issue", b'{"quote_date": "2026-12-15"}')
        assert bad_issue.status == 400 and bad_issue.error_code == "input.missing"
        old = json.loads(EXAMPLE)
        old["quote_date"] = "2026-11-01"  # no edition then
        assert call(srv, "POST", "/v1/quotes/issue", old).status == 400

        changed = call(srv, "POST", f"/v1/policies/{policy['id']}/change",
                       {"effective_date": "2027-01-10", "changes": {"company": {"endpoints": 60}}})
        assert changed.status == 200, changed.body
        assert [p["seq"] for p in changed.json()["policy"]["subscription"]] == [0, 1]
        not_allowed = call(srv, "POST", f"/v1/policies/{policy['id']}/change",
                           {"effective_date": "2027-02-01", "changes": {"bundle_plan": "utm"}})
        assert (not_allowed.status, not_allowed.error_code) == (400, "store.change_not_allowed")
        cancelled = call(srv, "POST", f"/v1/policies/{policy['id']}/cancel", {"effective_date": "2027-03-20"},
                         key="cancel-1")
        assert cancelled.status == 200
        # floor10(35,800 x 275 / 365 = 26,972.6) = 26,970
        assert cancelled.json()["policy"]["cancellation"]["refund_yen"] == 26970
        twice = call(srv, "POST", f"/v1/policies/{policy['id']}/cancel", {"effective_date": "2027-03-21"})
        assert (twice.status, twice.error_code) == (409, "store.policy_cancelled")
        backdated = call(srv, "POST", f"/v1/policies/{policy['id']}/change",
                         {"effective_date": "2026-12-01", "changes": {"company": {"endpoints": 60}}})
        assert backdated.status == 409  # cancelled first

        unbound = call(srv, "POST", "/v1/quotes/issue", EXAMPLE).json()["id"]  # valid until 2027-01-14
        referred = json.loads(EXAMPLE)
        for item in list(referred["answers"])[:25]:
            referred["answers"][item] = "unknown"
        rq = call(srv, "POST", "/v1/quotes/issue", referred).json()
        r = call(srv, "POST", f"/v1/quotes/{rq['id']}/bind", {"start_date": "2026-12-20"})
        assert (r.status, r.error_code) == (409, "store.quote_referred")

        dec = call(srv, "GET", "/v1/bordereau?month=2026-12")
        assert dec.status == 200
        totals = dec.json()["totals"]
        assert totals["top_up_written_yen"] == 35800 and totals["base_cover_owed_yen"] == 296  # rhu(765 x 12 / 31)
        csv = call(srv, "GET", "/v1/bordereau?month=2027-03&format=csv")
        assert csv.status == 200 and csv.headers["content-type"].startswith("text/csv")
        assert csv.body.decode().splitlines()[-1].startswith("total,,,,,,,,2027-03-01,2027-03-31,")
        for query, code in [("?month=2027-13", "store.invalid_month"), ("", "input.missing"),
                            ("?month=2027-01&format=xml", "input.unknown_value"), ("?month=2027-01&x=1", "input.unknown_field")]:
            r = call(srv, "GET", "/v1/bordereau" + query)
            assert (r.status, r.error_code) == (400, code), (query, r.body)
        metrics = srv.get("/metrics").body.decode()
        assert 'endpoint="/v1/quotes/{id}/bind"' in metrics
        assert srv.alive()
    # A month later, on the same store: the quote has expired, and so has one dated then.
    with serve(store_url, tmp_path / "later", cli=cli, today="2027-01-20") as later:
        r = call(later, "POST", f"/v1/quotes/{unbound}/bind", {"start_date": "2027-01-20"})
        assert (r.status, r.error_code) == (409, "store.quote_expired"), r.body
        assert "was valid until 2027-01-14; today is 2027-01-20" in r.json()["error"]["detail"]
        r = call(later, "POST", "/v1/quotes/issue", EXAMPLE)
        assert (r.status, r.error_code) == (409, "store.quote_expired"), r.body


def test_without_a_store_the_register_is_404(tmp_path, cli):
    with Server("--threads", "1", workdir=tmp_path, cli=cli, access_log=False) as srv:
        r = srv.post("/v1/quotes/issue", EXAMPLE)
        assert r.status == 404 and "--store URL" in r.json()["error"]["detail"]


def test_a_stopped_postgresql_gives_503_then_recovers(tmp_path, cli):
    # Its own server, in a directory the unprivileged postgres user can reach (pytest's are 0700).
    pg = Path(tempfile.mkdtemp(prefix="cybercover-pg-"))
    url = subprocess.run(["bash", str(POSTGRES_SCRIPT), "start", str(pg)], check=True, capture_output=True,
                         text=True).stdout.strip()
    try:
        with serve(url, tmp_path, cli=cli) as srv:
            q = call(srv, "POST", "/v1/quotes/issue", EXAMPLE).json()
            subprocess.run(["bash", str(POSTGRES_SCRIPT), "pause", str(pg)], check=True)
            for method, path, body in [("POST", "/v1/quotes/issue", EXAMPLE), ("GET", f"/v1/quotes/{q['id']}", None),
                                       ("POST", f"/v1/quotes/{q['id']}/bind", {"start_date": "2026-12-20"}),
                                       ("GET", "/v1/policies/p-any", None),
                                       ("POST", "/v1/policies/p-any/cancel", {"effective_date": "2027-01-01"}),
                                       ("POST", "/v1/policies/p-any/change",
                                        {"effective_date": "2027-01-01", "changes": {"company": {"endpoints": 60}}}),
                                       ("GET", "/v1/bordereau?month=2026-12", None)]:
                r = call(srv, method, path, body)
                assert r.status == 503, (path, r.body)
                assert r.error_code == "store.unavailable", r.body
                assert r.headers["retry-after"] == "1"
                assert "PostgreSQL" in r.json()["error"]["message"]
            # Pricing without the store goes on.
            assert srv.post("/v1/quote", EXAMPLE).status == 200
            subprocess.run(["bash", str(POSTGRES_SCRIPT), "resume", str(pg)], check=True)
            r = call(srv, "POST", f"/v1/quotes/{q['id']}/bind", {"start_date": "2026-12-20"})
            assert r.status == 201, r.body
            assert r.json()["policy"]["top_up"]["annual_premium_yen"] == 35800
    finally:
        subprocess.run(["bash", str(POSTGRES_SCRIPT), "stop", str(pg)], check=False)


def test_a_sqlite_store_locked_by_another_process_gives_503_then_recovers(tmp_path, cli):
    """Another program holds SQLite's write lock past the store's 5 s busy timeout."""
    path = tmp_path / "store.db"
    with serve(f"sqlite://{path}", tmp_path, cli=cli) as srv:
        q = call(srv, "POST", "/v1/quotes/issue", EXAMPLE).json()
        holder = subprocess.Popen(
            ["/usr/bin/python3", "-c",
             "import sqlite3, sys\n"
             "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
             "db.execute('BEGIN EXCLUSIVE')\n"
             "print('locked', flush=True)\n"
             "sys.stdin.readline()\n"
             "db.execute('ROLLBACK')\n", str(path)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            assert holder.stdout.readline().strip() == "locked"
            started = time.monotonic()
            r = call(srv, "POST", f"/v1/quotes/{q['id']}/bind", {"start_date": "2026-12-20"}, key="locked-1")
            assert (r.status, r.error_code) == (503, "store.unavailable"), r.body
            assert r.headers["retry-after"] == "1"
            assert "locked" in r.json()["error"]["message"], r.body
            assert time.monotonic() - started >= 4.5  # it waited for the lock, then gave up
            # WAL: readers do not wait for a writer, and pricing goes on.
            assert call(srv, "GET", f"/v1/quotes/{q['id']}").json()["status"] == "issued"
            assert srv.post("/v1/quote", EXAMPLE).status == 200
        finally:
            holder.communicate("\n", timeout=30)
        # The lock released, the client's retry with the same key binds, once.
        r = call(srv, "POST", f"/v1/quotes/{q['id']}/bind", {"start_date": "2026-12-20"}, key="locked-1")
        assert r.status == 201, r.body
        again = call(srv, "POST", f"/v1/quotes/{q['id']}/bind", {"start_date": "2026-12-20"}, key="locked-1")
        assert again.status == 200 and again.json()["replayed"] is True
    assert counts(f"sqlite://{path}") == (1, 1, 1, 1)


def test_a_full_sqlite_store_gives_503_and_keeps_what_it_had(tmp_path, cli):
    url = f"sqlite://{tmp_path / 'small.db'}?max_size_mib=1"
    with serve(url, tmp_path, cli=cli) as srv:
        issued = []
        for _ in range(1000):
            r = call(srv, "POST", "/v1/quotes/issue", EXAMPLE)
            if r.status != 201:
                break
            issued.append(r.json()["id"])
        assert r.status == 503 and r.error_code == "store.disk_full", r.body
        assert r.headers["retry-after"] == "1"
        assert len(issued) > 10
        # Reads still work and every acknowledged quote is whole.
        for qid in issued[::10]:
            assert call(srv, "GET", f"/v1/quotes/{qid}").json()["response"]["top_up"]["annual_premium_yen"] == 35800
    p, d, q, b = counts(f"sqlite://{tmp_path / 'small.db'}")
    assert q == len(issued)


def test_a_full_file_system_gives_503(tmp_path, cli):
    """A real full disk: a 2 MiB tmpfs (needs root and mount; the quota test above runs everywhere)."""
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)], capture_output=True).returncode:
        pytest.skip("mounting a tmpfs is not permitted here (the max_size_mib test covers store.disk_full)")
    try:
        with serve(f"sqlite://{mnt / 'store.db'}", tmp_path, cli=cli) as srv:
            statuses = []
            for _ in range(2000):
                r = srv.post("/v1/quotes/issue", EXAMPLE)
                statuses.append(r.status)
                if r.status != 201:
                    break
            assert r.status == 503 and r.error_code == "store.disk_full", r.body
            assert srv.get("/healthz").status == 200
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_a_reload_between_issue_and_bind_binds_at_the_quoted_price(store_url, tmp_path, cli):
    tables = tmp_path / "tables"
    shutil.copytree(SOURCE_DIR / "rating_tables", tables)
    with serve(store_url, tmp_path, "--tables", str(tables), cli=cli) as srv:
        q = call(srv, "POST", "/v1/quotes/issue", EXAMPLE).json()
        top_up = tables / "2026-12" / "top_up.json"
        t = json.loads(top_up.read_text(encoding="utf-8"))
        t["tier_factors"]["A"] = 0.8
        top_up.write_text(json.dumps(t, indent=2), encoding="utf-8")
        srv.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 20
        while srv.get("/v1/tables").json()["generation"] < 2:
            assert time.monotonic() < deadline, "the tables were not reloaded"
            time.sleep(0.05)
        requote = call(srv, "POST", "/v1/quotes/issue", EXAMPLE).json()
        assert requote["top_up_annual_premium_yen"] != 35800
        assert requote["edition_sha256"] != q["edition_sha256"]
        policy = call(srv, "POST", f"/v1/quotes/{q['id']}/bind", {"start_date": "2026-12-20"}).json()["policy"]
        assert policy["top_up"]["annual_premium_yen"] == 35800
        assert policy["subscription"][0]["monthly_premium_yen"] == 765
        assert policy["edition_sha256"] == q["edition_sha256"]


def test_kill_9_during_a_burst_of_binds_loses_and_duplicates_nothing(store_url, tmp_path, cli):
    srv = serve(store_url, tmp_path, cli=cli)
    quotes = [srv.post("/v1/quotes/issue", EXAMPLE).json()["id"] for _ in range(150)]
    acknowledged = {}  # quote id -> policy id the client was told
    issued_during = []
    lock = threading.Lock()
    stop = threading.Event()

    def binder(mine):
        conn = srv.connection(timeout=10)
        for qid in mine:
            if stop.is_set():
                return
            try:
                r = srv.request("POST", f"/v1/quotes/{qid}/bind", body=b'{"start_date":"2026-12-20"}',
                                headers={"Idempotency-Key": "bind-" + qid}, conn=conn)
            except OSError:
                return
            except Exception:
                return
            if r.status in (200, 201):
                with lock:
                    acknowledged.setdefault(qid, r.json()["policy"]["id"])

    def issuer():
        conn = srv.connection(timeout=10)
        while not stop.is_set():
            try:
                r = srv.request("POST", "/v1/quotes/issue", body=EXAMPLE, conn=conn)
            except Exception:
                return
            if r.status == 201:
                issued_during.append(r.json()["id"])

    # Two threads bind each quote (the same key: a client and its retry), two more others.
    threads = [threading.Thread(target=binder, args=(quotes,)), threading.Thread(target=binder, args=(quotes,)),
               threading.Thread(target=binder, args=(quotes[::-1],)), threading.Thread(target=issuer)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 40 and time.monotonic() < deadline:
        time.sleep(0.005)
    os.kill(srv.pid, signal.SIGKILL)
    srv.proc.wait()
    stop.set()
    for t in threads:
        t.join(30)
    assert 0 < len(acknowledged) < len(quotes), "the kill did not land in the burst"

    # Restarted on the same store: every acknowledged bind is there, once; a retry with the
    # same key replays it; the others bind now.
    with serve(store_url, tmp_path, cli=cli) as again:
        for qid in quotes:
            r = again.post(f"/v1/quotes/{qid}/bind", b'{"start_date":"2026-12-20"}',
                           headers={"Idempotency-Key": "bind-" + qid})
            assert r.status in (200, 201), r.body
            if qid in acknowledged:
                assert r.status == 200 and r.json()["replayed"] is True
                assert r.json()["policy"]["id"] == acknowledged[qid]
            assert r.json()["policy"]["top_up"]["annual_premium_yen"] == 35800
        # No quote half-written: each one acknowledged is there, and every quote row in the
        # database (acknowledged or cut off by the kill) reads back whole.
        stored = quote_ids(store_url)
        assert set(issued_during) <= set(stored)
        for qid in stored:
            r = again.get(f"/v1/quotes/{qid}")
            assert r.status == 200, (qid, r.body)
            q = r.json()
            assert q["request"] == example_1() and q["response"]["top_up"]["annual_premium_yen"] == 35800
            assert q["edition_sha256"] == q["response"]["tables"]["sha256"]
    policies, distinct, total_quotes, bound = counts(store_url)
    assert policies == distinct == bound == len(quotes)
    assert total_quotes >= len(quotes) + len(issued_during)


def test_two_instances_on_one_database_bind_each_quote_once(store_url, tmp_path, cli):
    with serve(store_url, tmp_path / "a", cli=cli) as a, serve(store_url, tmp_path / "b", cli=cli) as b:
        quotes = [a.post("/v1/quotes/issue", EXAMPLE).json()["id"] for _ in range(40)]
        results = {}

        def bind_all(srv, name):
            conn = srv.connection()
            for qid in quotes:
                r = srv.request("POST", f"/v1/quotes/{qid}/bind", body=b'{"start_date":"2026-12-20"}',
                                headers={"Idempotency-Key": f"{name}-{qid}"}, conn=conn)
                results[(name, qid)] = (r.status, r.error_code)

        threads = [threading.Thread(target=bind_all, args=(a, "a")), threading.Thread(target=bind_all, args=(b, "b"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        for qid in quotes:
            outcomes = sorted([results[("a", qid)], results[("b", qid)]], key=str)
            assert outcomes == sorted([(201, None), (409, "store.quote_already_bound")], key=str), (qid, outcomes)
    policies, distinct, _, bound = counts(store_url)
    assert policies == distinct == bound == 40


# Ids, keys and months full of SQL, in the path, the Idempotency-Key header and the query.
# (http.client refuses spaces in a path: they go percent-encoded, and also as raw SQL without.)
INJECTED_IDS = ["'OR'1'='1", "x');DROP%20TABLE%20policies;--", "q-1;DELETE%20FROM%20quotes",
                "%27%20OR%201%3D1%20--", "\"OR\"\"=\"", "p-0'||(SELECT%20id%20FROM%20policies)||'"]


def test_values_in_paths_headers_and_queries_never_become_sql(store_url, tmp_path, cli):
    with serve(store_url, tmp_path, cli=cli) as srv:
        q = call(srv, "POST", "/v1/quotes/issue", EXAMPLE).json()
        key = "k');DELETE FROM quotes;DROP TABLE idempotency_keys;--"
        bound = call(srv, "POST", f"/v1/quotes/{q['id']}/bind", {"start_date": "2026-12-20"}, key=key)
        assert bound.status == 201, bound.body
        policy_id = bound.json()["policy"]["id"]
        for evil in INJECTED_IDS:
            for method, path, body, code in [
                    ("GET", f"/v1/quotes/{evil}", None, "store.quote_not_found"),
                    ("POST", f"/v1/quotes/{evil}/bind", {"start_date": "2026-12-20"}, "store.quote_not_found"),
                    ("GET", f"/v1/policies/{evil}", None, "store.policy_not_found"),
                    ("POST", f"/v1/policies/{evil}/cancel", {"effective_date": "2027-01-01"}, "store.policy_not_found"),
                    ("POST", f"/v1/policies/{evil}/change",
                     {"effective_date": "2027-01-01", "changes": {"company": {"endpoints": 60}}},
                     "store.policy_not_found")]:
                r = call(srv, method, path, body)
                assert (r.status, r.error_code) == (404, code), (method, path, r.body)
            r = call(srv, "GET", f"/v1/bordereau?month=2026-12{evil}")
            assert (r.status, r.error_code) == (400, "store.invalid_month"), (evil, r.body)
        # The key is stored and matched as the text it is: the same key replays, a near one
        # (the SQL comment cut short) is another key.
        again = call(srv, "POST", f"/v1/quotes/{q['id']}/bind", {"start_date": "2026-12-20"}, key=key)
        assert again.status == 200 and again.json()["replayed"] is True
        assert again.json()["policy"]["id"] == policy_id
        near = call(srv, "POST", f"/v1/quotes/{q['id']}/bind", {"start_date": "2026-12-20"}, key=key[:-2])
        assert (near.status, near.error_code) == (409, "store.quote_already_bound")
        # A request field holding SQL is refused by the contract before anything is stored.
        evil_request = example_1()
        evil_request["company"]["industry"] = "x'); DROP TABLE quotes; --"
        r = call(srv, "POST", "/v1/quotes/issue", evil_request)
        assert r.status == 400, r.body
        assert call(srv, "GET", f"/v1/policies/{policy_id}").json()["quote_id"] == q["id"]
    # Every table is intact, with exactly the rows written above.
    assert counts(store_url) == (1, 1, 1, 1)


def test_a_full_postgresql_disk_gives_503_and_keeps_what_it_had(tmp_path, cli):
    """PostgreSQL's tables on a 2 MiB tmpfs (a tablespace; needs root and mount): SQLSTATE 53100."""
    mnt = Path(tempfile.mkdtemp(prefix="cybercover-pg-tiny-"))
    pg = Path(tempfile.mkdtemp(prefix="cybercover-pg-"))
    url = subprocess.run(["bash", str(POSTGRES_SCRIPT), "start", str(pg)], check=True, capture_output=True,
                         text=True).stdout.strip()
    mounted = False
    try:
        owner = (Path((pg / "home").read_text().strip()) / "data").stat().st_uid
        if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size=2m,mode=0700,uid={owner}", "tmpfs", str(mnt)],
                          capture_output=True).returncode:
            pytest.skip("mounting a tmpfs is not permitted here")
        mounted = True
        psql(url, f"CREATE TABLESPACE tiny LOCATION '{mnt}'")
        # The store's tables and indexes are created (and grow) in the tiny tablespace.
        with serve(url + "?options=-cdefault_tablespace%3Dtiny", tmp_path, cli=cli) as srv:
            issued = []
            for _ in range(3000):
                r = call(srv, "POST", "/v1/quotes/issue", EXAMPLE)
                if r.status != 201:
                    break
                issued.append(r.json()["id"])
            assert (r.status, r.error_code) == (503, "store.disk_full"), r.body
            assert r.headers["retry-after"] == "1"
            assert "disk is full" in r.json()["error"]["message"], r.body
            assert len(issued) > 10
            # Pricing and reads go on; every acknowledged quote is whole.
            assert srv.post("/v1/quote", EXAMPLE).status == 200
            for qid in issued[::25]:
                got = call(srv, "GET", f"/v1/quotes/{qid}").json()
                assert got["response"]["top_up"]["annual_premium_yen"] == 35800
        assert int(psql(url, "SELECT COUNT(*) FROM quotes")) == len(issued)
        assert psql(url, "SELECT spcname FROM pg_tablespace t JOIN pg_class c ON c.reltablespace = t.oid "
                         "WHERE c.relname = 'quotes'") == "tiny"
    finally:
        subprocess.run(["bash", str(POSTGRES_SCRIPT), "stop", str(pg)], check=False)
        if mounted:
            subprocess.run(["umount", "-l", str(mnt)], check=False)
        shutil.rmtree(mnt, ignore_errors=True)


def test_openapi_documents_every_store_response():
    """Every store response above against docs/openapi.yaml; every documented store status seen."""
    assert RECORDED, "run the whole module"
    seen = set()
    for path, method, r in RECORDED:
        seen.add(API.validate(path, method, r.status, r.headers, r.body))
    missing = API.documented("store") - seen
    assert not missing, f"documented but never exercised: {sorted(missing)}"
