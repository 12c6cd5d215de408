"""Hostile traffic for `cybercover serve`: malformed and abusive requests, each with the status
(and error code) it must get, every time.

Kinds: truncated JSON, huge numbers, deep nesting, wrong types, invalid UTF-8 and control
bytes, duplicate keys, oversize batches, 10 MB bodies, oversize headers, garbage instead of
HTTP, bad chunking, wrong methods, media types and paths, pipelined mixes, half-closed
connections (whole and partial requests), and slowloris connections. A valid quote is mixed
in so that the server is seen to keep working.

Used by tests/http/test_http_hostile.py (a moderate count, in CTest) and
bench/http_hostile.py (>= 10,000 requests, with the RSS before and after).
"""

from __future__ import annotations

import concurrent.futures
import json
import random
import re
import select
import socket
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Set, Tuple

from harness import EXAMPLES, Server, http_request_bytes, parse_responses, read_until_close

REQUESTS = [p.read_bytes() for p in sorted(EXAMPLES.glob("*.json"))]
POST_PATHS = ["/v1/quote", "/v1/assess", "/v1/quotes", "/v1/remediation", "/v1/report"]
TEN_MB = 10 * 1024 * 1024


@dataclass
class Case:
    kind: str
    wire: bytes
    expected: Sequence[int]  # the statuses of the responses, in order
    codes: Sequence[Optional[Set[str]]] = ()  # per response: the allowed error codes (None: any)
    mode: str = "close"  # close: Connection: close; half: shut down writing after sending; slow: trickle


def _post(path: str, body: bytes, close: bool = True, content_type: Optional[str] = "application/json",
          extra: Sequence[Tuple[str, str]] = ()) -> bytes:
    headers = list(extra) + ([("Connection", "close")] if close else [])
    return http_request_bytes("POST", path, body, headers=headers, content_type=content_type)


def _code_set(*codes: str) -> Set[str]:
    return set(codes)


def _wrong_type(rng: random.Random, req: dict) -> bytes:
    target = rng.choice(["employees", "capital_yen", "endpoints", "industry", "utm", "answers", "controls", "company"])
    if target in ("employees", "capital_yen", "endpoints"):
        value = rng.choice(['"12"', "[]", "{}", "true"])  # a number field: anything but a number
        req["company"][target] = "@@"
    elif target == "industry":
        value = rng.choice(["[]", "{}", "true", "12"])  # a string field: anything but a string
        req["company"][target] = "@@"
    elif target == "utm":
        value = rng.choice(["[]", "{}", "false", "3"])
        req["controls"]["utm"] = "@@"
    else:
        value = rng.choice(['"12"', "[]", "true", "[1,2]", "7"])  # an object field
        req[target] = "@@"
    return json.dumps(req).replace('"@@"', value).encode()


def _huge_number(rng: random.Random, req: dict) -> bytes:
    field = rng.choice(["employees", "capital_yen", "revenue_yen", "endpoints"])
    value = rng.choice(["1e400", "-1e400", "2e308", "1" + "0" * rng.randint(20, 400), "-" + "9" * 40])
    req["company"][field] = "@@"
    return json.dumps(req).replace('"@@"', value).encode()


def make_case(rng: random.Random, kind: str) -> Case:
    req_text = rng.choice(REQUESTS)
    req = json.loads(req_text)
    if kind == "valid":
        return Case(kind, _post("/v1/quote", req_text), [200])
    if kind == "truncated":
        cut = req_text[: rng.randint(0, len(req_text) - 2)]
        path = rng.choice(["/v1/quote", "/v1/assess", "/v1/remediation"])
        return Case(kind, _post(path, cut), [400], [_code_set("input.malformed_json", "input.missing")])
    if kind == "huge_number":
        return Case(kind, _post("/v1/quote", _huge_number(rng, req)), [400],
                    [_code_set("input.number_out_of_range", "input.above_maximum", "input.below_minimum")])
    if kind == "deep_nesting":
        depth = rng.choice([65, 100, 1000, 50_000])
        opener, closer = rng.choice([("[", "]"), ('{"a":', "}")])
        body = (opener * depth + "1" + closer * depth).encode()
        if rng.random() < 0.5:
            return Case(kind, _post("/v1/quote", body), [400], [_code_set("input.malformed_json", "input.too_deep")])
        body = b'{"requests": [' + body + b"]}"
        if depth + 2 >= 256:  # past the batch envelope's nesting bound
            return Case(kind, _post("/v1/quotes", body), [400], [_code_set("input.too_deep")])
        return Case(kind, _post("/v1/quotes", body), [200])  # the item fails alone
    if kind == "wrong_type":
        return Case(kind, _post("/v1/quote", _wrong_type(rng, req)), [400], [_code_set("input.wrong_type")])
    if kind == "bad_utf8":
        body = req_text.replace(b'"manufacturing"', b'"manu\xff\xc0facturing"').replace(b'"quote_date"', b'"quote\xe9date"', 1)
        return Case(kind, _post("/v1/quote", body), [400], [None])
    if kind == "control_bytes":
        body = req_text.replace(b'"quote_date"', b'"quote\x00\x1b_date"', 1)
        return Case(kind, _post("/v1/quote", body), [400], [_code_set("input.malformed_json")])
    if kind == "duplicate_key":
        body = req_text.replace(b"{", b'{"quote_date": "2026-12-15", ', 1)
        return Case(kind, _post("/v1/quote", body), [400], [_code_set("input.duplicate_field")])
    if kind == "oversize_batch":
        item = b'{"quote_date": "2026-12-15"}'
        body = b'{"requests": [' + b",".join([item] * rng.randint(1001, 1200)) + b"]}"
        return Case(kind, _post("/v1/quotes", body), [400], [_code_set("input.batch_too_large")])
    if kind == "ten_mb":
        path = rng.choice(POST_PATHS)
        body = rng.choice([b" " * TEN_MB, b"[" * TEN_MB, req_text + b" " * (TEN_MB - len(req_text))])
        return Case(kind, _post(path, body), [413], [_code_set("input.too_large")])
    if kind == "big_header":
        return Case(kind, _post("/v1/quote", req_text, extra=[("X-Junk", "j" * rng.randint(9000, 60000))]), [431],
                    [_code_set("http.header_too_large")])
    if kind == "garbage":
        junk = bytes([rng.randint(1, 31)]) + bytes(rng.randint(0, 255) for _ in range(rng.randint(5, 300)))
        return Case(kind, junk + b"\r\n\r\n", [400], [_code_set("http.bad_request")])
    if kind == "bad_chunking":
        body = rng.choice([b"zz\r\nabc\r\n0\r\n\r\n", b"5\r\nabcdefgh\r\n0\r\n\r\n", b"-1\r\n\r\n"])
        wire = (b"POST /v1/quote HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + body)
        return Case(kind, wire, [400], [_code_set("http.bad_request")])
    if kind == "bad_content_length":
        value = rng.choice(["abc", "-5", "1 2", "99999999999999999999999", "5, 6"])
        wire = (b"POST /v1/quote HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                + value.encode() + b"\r\nConnection: close\r\n\r\n{}")
        return Case(kind, wire, [400], [_code_set("http.bad_request")])
    if kind == "wrong_media_type":
        ctype = rng.choice([None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"])
        return Case(kind, _post(rng.choice(POST_PATHS), req_text, content_type=ctype), [415],
                    [_code_set("http.unsupported_media_type")])
    if kind == "wrong_method":
        method = rng.choice(["GET", "PUT", "DELETE", "PATCH", "OPTIONS"])
        wire = http_request_bytes(method, rng.choice(POST_PATHS), headers=[("Connection", "close")])
        return Case(kind, wire, [405], [_code_set("http.method_not_allowed")])
    if kind == "unknown_path":
        path = "/" + "".join(rng.choice("abcxyz/%._-") for _ in range(rng.randint(1, 200)))
        wire = http_request_bytes("GET", path, headers=[("Connection", "close")])
        return Case(kind, wire, [404], [_code_set("http.not_found")])
    if kind == "pipelined":
        parts, statuses, codes = [], [], []
        for i in range(rng.randint(2, 8)):
            sub = make_case(rng, rng.choice(["valid", "truncated", "wrong_type", "duplicate_key", "wrong_method"]))
            wire = sub.wire.replace(b"Connection: close\r\n", b"")
            parts.append(wire)
            statuses.append(sub.expected[0])
            codes.append(sub.codes[0] if sub.codes else None)
        parts[-1] = parts[-1].replace(b"Host: 127.0.0.1\r\n", b"Host: 127.0.0.1\r\nConnection: close\r\n", 1)
        return Case(kind, b"".join(parts), statuses, codes)
    if kind == "half_closed_whole":
        wire = _post("/v1/quote", req_text, close=False)
        return Case(kind, wire, [200], mode="half")
    if kind == "half_closed_partial":
        wire = _post("/v1/quote", req_text, close=False)
        return Case(kind, wire[: rng.randint(20, len(wire) - 1)], [400], [_code_set("http.bad_request")], mode="half")
    if kind == "slowloris":
        wire = _post("/v1/quote", req_text)[: rng.randint(5, 200)]
        return Case(kind, wire, [408], [_code_set("http.request_timeout")], mode="slow")
    raise ValueError(kind)


# Relative frequencies; 10 MB bodies and slowloris are costly, so rarer.
KINDS = {
    "valid": 8, "truncated": 10, "huge_number": 8, "deep_nesting": 6, "wrong_type": 10, "bad_utf8": 4,
    "control_bytes": 4, "duplicate_key": 4, "oversize_batch": 1, "ten_mb": 1, "big_header": 3, "garbage": 6,
    "bad_chunking": 3, "bad_content_length": 3, "wrong_media_type": 4, "wrong_method": 4, "unknown_path": 4,
    "pipelined": 6, "half_closed_whole": 3, "half_closed_partial": 3, "slowloris": 1,
}


def send(server: Server, case: Case) -> List:
    with socket.create_connection((server.host, server.port), timeout=30) as s:
        if case.mode == "slow":
            s.sendall(case.wire)
            for _ in range(100):  # one byte every 0.05 s until the server answers
                if select.select([s], [], [], 0.05)[0]:
                    break
                try:
                    s.sendall(b"x")
                except OSError:
                    break
            return parse_responses(read_until_close(s))
        try:
            s.sendall(case.wire)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer (413, 431) and close before a big request is all sent
        if case.mode == "half":
            s.shutdown(socket.SHUT_WR)
        return parse_responses(read_until_close(s))


@dataclass
class Report:
    requests: int = 0
    by_kind: Counter = field(default_factory=Counter)
    mismatches: List[str] = field(default_factory=list)
    elapsed_s: float = 0.0


def check(case: Case, responses: List) -> Optional[str]:
    statuses = [r.status for r in responses]
    if statuses != list(case.expected):
        return f"{case.kind}: statuses {statuses} != {list(case.expected)}: {case.wire[:80]!r}"
    for r, allowed in zip(responses, case.codes or [None] * len(responses)):
        code = r.error_code
        if r.status >= 400 and code is None:
            return f"{case.kind}: {r.status} without an error body"
        if allowed is not None and code not in allowed:
            return f"{case.kind}: code {code} not in {sorted(allowed)}"
        if r.status >= 400 and r.json().get("request_id") != r.headers.get("x-request-id"):
            return f"{case.kind}: request id not echoed in the body"
    return None


def run(server: Server, count: int, *, seed: int, workers: int = 4, slow_workers: int = 32) -> Report:
    """Sends `count` hostile cases (pipelined ones count each request) and checks every answer."""
    rng = random.Random(seed)
    names = list(KINDS)
    weights = [KINDS[k] for k in names]
    cases: List[Case] = []
    total = 0
    while total < count:
        case = make_case(rng, rng.choices(names, weights)[0])
        cases.append(case)
        total += len(case.expected)
    report = Report(requests=total)
    start = time.monotonic()
    fast = [c for c in cases if c.mode != "slow"]
    slow = [c for c in cases if c.mode == "slow"]
    with concurrent.futures.ThreadPoolExecutor(workers) as pool, \
            concurrent.futures.ThreadPoolExecutor(slow_workers) as slow_pool:
        slow_results = slow_pool.map(lambda c: (c, send(server, c)), slow)
        for case, responses in pool.map(lambda c: (c, send(server, c)), fast):
            report.by_kind[case.kind] += len(case.expected)
            problem = check(case, responses)
            if problem:
                report.mismatches.append(problem)
        for case, responses in slow_results:
            report.by_kind[case.kind] += 1
            problem = check(case, responses)
            if problem:
                report.mismatches.append(problem)
    report.elapsed_s = time.monotonic() - start
    return report
