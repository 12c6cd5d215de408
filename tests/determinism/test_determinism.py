"""The cross-interface determinism test: one corpus of generated requests (corpus.py: >= 1,000,
every tier, decision, plan, section and error case) priced through every door, which must
agree with the C++ library's quote_json to the byte (JSON doors) or to the figure (columnar
doors). Any difference fails.

Doors: C++ (quote_json and the struct path, determinism_cpp), HTTP POST /v1/quote and
POST /v1/quotes, Python Engine.quote_json and Engine.quote(dict), the CLI
(`cybercover quote --json`), CSV (`cybercover price`), Python quote_frame and quote_arrays with
1 and 2 threads.

Run: CYBERCOVER_CLI=... CYBERCOVER_DETERMINISM_CPP=... PYTHONPATH=<build>/python \
     /usr/bin/python3 -m pytest -q tests/determinism
"""

from __future__ import annotations

import concurrent.futures
import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Tuple

import numpy as np
import pandas as pd
import pytest

import cybercover

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "http"))
import corpus as corpus_module  # noqa: E402
from harness import Server  # noqa: E402

TABLES = str(corpus_module.SOURCE_DIR / "rating_tables")
CLI = os.environ.get("CYBERCOVER_CLI")
CPP = os.environ.get("CYBERCOVER_DETERMINISM_CPP")
ANSWER_CODES = {"yes": 1, "partial": 2, "no": 3, "unknown": 4, "na": 5}
NOT_BATCHABLE = {"txt-malformed_truncated", "txt-malformed_trailing", "txt-malformed_empty"}


# ---- the reference: C++ -------------------------------------------------------------------
@pytest.fixture(scope="module")
def corpus():
    return corpus_module.generate()


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory) -> List[Tuple[str, Any]]:
    """Per entry ("Q", quote JSON bytes) or ("E", {code, field, detail, value, message})."""
    path = tmp_path_factory.mktemp("cpp") / "corpus.bin"
    path.write_bytes(b"".join(b"%d\n" % len(e.text) + e.text + b"\n" for e in corpus))
    p = subprocess.run([CPP, TABLES, str(path)], capture_output=True, timeout=300)
    assert p.returncode == 0, p.stderr.decode()
    out = []
    for line in p.stdout.split(b"\n")[:-1]:
        kind, payload = line[:1].decode(), line[2:]
        out.append((kind, payload if kind == "Q" else json.loads(payload)))
    assert len(out) == len(corpus)
    return out


def differences(corpus, reference, results, compare) -> List[str]:
    bad = []
    for entry, ref, got in zip(corpus, reference, results):
        problem = compare(ref, got)
        if problem:
            bad.append(f"{entry.id}: {problem}")
    return bad


def error_fields(error: Dict[str, Any]) -> Dict[str, Any]:
    """The reference's error as the HTTP API writes it (empty field/value are null)."""
    return {"code": error["code"], "field": error["field"] or None, "detail": error["detail"],
            "value": error["value"] or None, "message": error["message"]}


def test_corpus_covers_every_case(corpus, reference):
    assert len(corpus) >= 1000
    quotes = [json.loads(payload) for kind, payload in reference if kind == "Q"]
    errors = [payload["code"] for kind, payload in reference if kind == "E"]
    assert {q["tier"] for q in quotes} == {"A", "B", "C", "D", "E"}
    assert {q["decision"]["outcome"] for q in quotes} == {"accept", "refer", "decline"}
    assert {c for q in quotes for c in q["decision"]["codes"]} == {
        "NOT_SME", "REVENUE_OUT_OF_RANGE", "TIER_E_HIGH_LIMIT", "TOO_MANY_UNKNOWN", "PRIOR_INCIDENTS",
        "LEGACY_OS_UNPROTECTED"}
    assert {(q["base_cover"] or {}).get("plan", "none") for q in quotes} == {"none", "utm", "edr", "utm_edr"}
    top_ups = [q["top_up"] for q in quotes if q["top_up"]]
    assert {tuple(sorted(t["sections"])) for t in top_ups} >= {
        ("liability",), ("response",), ("interruption",), ("liability", "response"), ("interruption", "liability"),
        ("interruption", "response"), ("interruption", "liability", "response")}
    assert {t["subsidy_code"] for t in top_ups} >= {None, "SUBSIDY_NOT_ELIGIBLE"}
    assert any(t["minimum_premium_applied"] for t in top_ups)
    assert any((q["base_cover"] or {}).get("price_cap") for q in quotes)
    assert {a["code"] for q in quotes for a in q["posture"]["adjustments"]} == {
        "UTM_MANAGED", "UTM_UNMANAGED", "EDR_MANAGED", "EDR_LEARNING", "EDR_SELF_MANAGED", "LEGACY_OS",
        "PHISHING_LOW", "PHISHING_HIGH", "PRIOR_INCIDENTS"}
    assert len(errors) >= 150 and len(set(errors)) >= 25, sorted(set(errors))


# ---- JSON doors: byte for byte -------------------------------------------------------------
@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with Server("--threads", "2", workdir=tmp_path_factory.mktemp("srv"), tables=TABLES, cli=CLI) as s:
        yield s


def compare_http(ref, r) -> str:
    kind, payload = ref
    if kind == "Q":
        if r.status != 200 or r.body != payload:
            return f"status {r.status}, body differs: {r.body[:200]!r}"
        return ""
    if r.status not in (400, 413):
        return f"expected an error, got {r.status}"
    got = r.json()["error"]
    return "" if got == error_fields(payload) else f"{got} != {error_fields(payload)}"


def test_http_single_quote_is_byte_identical(corpus, reference, server):
    def post(chunk):
        conn = server.connection()
        return [server.request("POST", "/v1/quote", body=e.text, conn=conn) for e in chunk]

    half = len(corpus) // 2
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        results = [r for part in pool.map(post, [corpus[:half], corpus[half:]]) for r in part]
    bad = differences(corpus, reference, results, compare_http)
    assert not bad, bad[:5]


def test_http_batch_items_are_byte_identical(corpus, reference, server):
    picked = [(e, ref) for e, ref in zip(corpus, reference) if e.id not in NOT_BATCHABLE]
    bad = []
    for start in range(0, len(picked), 500):
        chunk = picked[start:start + 500]
        body = b'{"requests": [' + b",".join(e.text for e, _ in chunk) + b"]}"
        r = server.request("POST", "/v1/quotes", body=body)
        assert r.status == 200, r.body[:300]
        doc = r.json()
        assert doc["count"] == len(chunk)
        assert doc["error_count"] == sum(1 for _, ref in chunk if ref[0] == "E")
        for i, ((entry, (kind, payload)), item) in enumerate(zip(chunk, doc["results"])):
            if kind == "Q":
                exact = b'{"index":%d,"ok":true,"quote":' % i + payload + b"}"
                if exact not in r.body:
                    bad.append(f"{entry.id}: the batch item is not the quote_json text")
            elif item.get("error") != error_fields(payload):
                bad.append(f"{entry.id}: {item} != {payload}")
    assert not bad, bad[:5]


def test_python_single_quote_is_byte_identical(corpus, reference):
    engine = cybercover.Engine(TABLES)
    bad = []
    for entry, (kind, payload) in zip(corpus, reference):
        doors = []
        if entry.python_text:
            doors.append(("quote_json", lambda: engine.quote_json(entry.text.decode("utf-8"))))
        if entry.dict_door:
            doors.append(("quote(dict)", lambda: engine.quote(json.loads(entry.text)).to_json()))
        for door, call in doors:
            try:
                text = call()
                got = ("Q", text.encode("utf-8"))
            except cybercover.Error as e:
                got = ("E", {"code": e.code, "field": e.field, "detail": e.detail, "value": e.value, "message": str(e)})
            if got != (kind, payload):
                bad.append(f"{entry.id} {door}: {str(got)[:300]} != {str((kind, payload))[:300]}")
    assert not bad, bad[:5]


def test_cli_quote_is_byte_identical(corpus, reference, tmp_path):
    def run(job):
        i, entry = job
        path = tmp_path / f"{i}.json"
        path.write_bytes(entry.text)
        p = subprocess.run([CLI, "quote", str(path), "--json", "--tables", TABLES], capture_output=True, timeout=60)
        return p.returncode, p.stdout, p.stderr

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        results = list(pool.map(run, enumerate(corpus)))

    def compare(ref, got):
        kind, payload = ref
        code, out, err = got
        if kind == "Q":
            # The CLI indents the quote_json text (nlohmann's dump(2)); Python's json.dumps
            # writes the same layout, so the bytes are compared.
            pretty = json.dumps(json.loads(payload), indent=2, ensure_ascii=False).encode("utf-8") + b"\n"
            return "" if (code, out) == (0, pretty) else f"exit {code}, stdout differs: {err[:200]!r}"
        expected = b"cybercover: " + payload["message"].encode("utf-8") + b"\n"
        return "" if (code, err) == (2, expected) else f"exit {code}: {err!r} != {expected!r}"

    bad = differences(corpus, reference, results, compare)
    assert not bad, bad[:5]


# ---- columnar doors: figure by figure ------------------------------------------------------
COLUMNS = ["ok", "error_code", "score", "unknown_count", "posture_index", "tier", "outcome", "decision_codes",
           "base_monthly_premium_yen", "base_annual_premium_yen", "liability_premium_yen", "response_premium_yen",
           "interruption_premium_yen", "package_yen", "annual_premium_yen", "subsidy_yen", "subsidy_code",
           "payable_annual_yen", "monthly_instalment_yen", "edition", "edition_sha256"]


def expected_row(ref) -> Dict[str, Any]:
    kind, payload = ref
    row = {c: None for c in COLUMNS}
    if kind == "E":
        row.update(ok=False, error_code=payload["code"])
        return row
    q = json.loads(payload)
    base, top = q["base_cover"], q["top_up"]
    row.update(ok=True, score=q["assessment"]["score"], unknown_count=q["assessment"]["unknown_count"],
               posture_index=q["posture"]["index"], tier=q["tier"], outcome=q["decision"]["outcome"],
               decision_codes="|".join(q["decision"]["codes"]), edition=q["tables"]["edition"],
               edition_sha256=q["tables"]["sha256"])
    if base:
        row.update(base_monthly_premium_yen=base["monthly_premium_yen"], base_annual_premium_yen=base["annual_premium_yen"])
    if top:
        for s in corpus_module.SECTIONS:
            if s in top["sections"]:
                row[f"{s}_premium_yen"] = top["sections"][s]["annual_premium_yen"]
        row.update(package_yen=top["package_yen"], annual_premium_yen=top["annual_premium_yen"],
                   subsidy_yen=top["subsidy_yen"], subsidy_code=top["subsidy_code"],
                   payable_annual_yen=top["payable_annual_yen"], monthly_instalment_yen=top["monthly_instalment_yen"])
    return row


def normalise(value: Any) -> Any:
    if value is None or value is pd.NA or value == "" or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value in ("true", "false"):
        return value == "true"
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def compare_rows(entries, reference, rows, messages) -> List[str]:
    bad = []
    for entry, ref, row, message in zip(entries, reference, rows, messages):
        # A failed row's figures are not compared (a frame holds 0 there, CSV an empty cell).
        compared = COLUMNS if ref[0] == "Q" else ["ok", "error_code"]
        want = {c: normalise(v) for c, v in expected_row(ref).items() if c in compared}  # "" and None: empty
        got = {c: normalise(row.get(c)) for c in compared}
        if got != want:
            diff = {c: (got[c], want[c]) for c in compared if got[c] != want[c]}
            bad.append(f"{entry.id}: {diff}")
        elif ref[0] == "E" and not (message or "").startswith(ref[1]["message"] + " (row "):
            bad.append(f"{entry.id}: message {message!r} is not {ref[1]['message']!r} with its location")
    return bad


def columnar(corpus, reference):
    picked = [(e, ref) for e, ref in zip(corpus, reference) if e.columns]
    assert len(picked) >= 1000
    return [e for e, _ in picked], [ref for _, ref in picked]


def test_csv_price_gives_the_same_figures(corpus, reference, tmp_path):
    entries, refs = columnar(corpus, reference)
    header = ["id"] + corpus_module.CONTRACT_COLUMNS + corpus_module.ITEM_IDS
    src = tmp_path / "corpus.csv"
    with src.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        for e in entries:
            cells = corpus_module.columns_of(e.request)
            w.writerow([e.id] + [corpus_module.csv_cell(cells[c]) for c in header[1:]])
    out = tmp_path / "priced.csv"
    p = subprocess.run([CLI, "price", str(src), "-o", str(out), "--tables", TABLES, "--no-progress"],
                       capture_output=True, timeout=300)
    assert p.returncode == 0, p.stderr.decode()
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["id"] for r in rows] == [e.id for e in entries]
    bad = compare_rows(entries, refs, rows, [r["error"] for r in rows])
    assert not bad, bad[:5]


def frame_of(entries) -> pd.DataFrame:
    rows = []
    for e in entries:
        cells = corpus_module.columns_of(e.request)
        rows.append({"id": e.id, **cells})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("threads", [1, 2])
def test_quote_frame_gives_the_same_figures(corpus, reference, threads):
    entries, refs = columnar(corpus, reference)
    engine = cybercover.Engine(TABLES)
    priced = engine.quote_frame(frame_of(entries), threads=threads, errors="collect")
    rows = priced.to_dict("records")
    bad = compare_rows(entries, refs, rows, [r["error"] for r in rows])
    assert not bad, bad[:5]


@pytest.mark.parametrize("threads", [1, 2])
def test_quote_arrays_gives_the_same_figures(corpus, reference, threads):
    entries, refs = columnar(corpus, reference)
    picked = [(e, r) for e, r in zip(entries, refs) if e.answer_codes]
    entries, refs = [e for e, _ in picked], [r for _, r in picked]
    df = frame_of(entries)
    answers = np.zeros((len(entries), len(corpus_module.ITEM_IDS)), dtype=np.uint8)
    for i, e in enumerate(entries):
        for j, item in enumerate(corpus_module.ITEM_IDS):
            value = e.request["answers"].get(item)
            if value is not None:
                answers[i, j] = ANSWER_CODES[value]
    engine = cybercover.Engine(TABLES)
    assert cybercover.item_ids(engine, corpus_module.QUOTE_DATE) == corpus_module.ITEM_IDS
    col = lambda name: df[name].to_numpy()
    result = engine.quote_arrays(
        quote_date=col("quote_date"), answers=answers, industry=col("industry"), employees=col("employees"),
        capital_yen=col("capital_yen"), revenue_yen=col("revenue_yen"), endpoints=col("endpoints"), utm=col("utm"),
        edr_status=col("edr_status"), legacy_os_endpoints=col("legacy_os_endpoints"), incidents_3y=col("incidents_3y"),
        bundle_plan=col("bundle_plan"), security_action=col("security_action"), rubber_products=col("rubber_products"),
        edr_covered_endpoints=col("edr_covered_endpoints"), edr_installed_on=col("edr_installed_on"),
        phishing_click_rate=col("phishing_click_rate"),
        top_up={s: (col(f"{s}_limit_yen"), col(f"{s}_deductible_yen")) for s in corpus_module.SECTIONS},
        subsidy_program=col("subsidy_program"), service_monthly_price_yen=col("service_monthly_price_yen"),
        ids=col("id"), threads=threads, errors="collect")
    rows = result.to_frame().to_dict("records")
    bad = compare_rows(entries, refs, rows, [r["error"] for r in rows])
    assert not bad, bad[:5]
