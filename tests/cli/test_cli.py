#!/usr/bin/env python3
"""End-to-end runs of the `cybercover` program: examples, golden files, errors, exit codes.

Usage: test_cli.py PATH/TO/cybercover SOURCE_DIR
Prints 'N passed, N failed' and exits non-zero on any failure.
"""
import json
import pathlib
import subprocess
import sys
import tempfile

CLI = sys.argv[1]
SRC = pathlib.Path(sys.argv[2])
QUESTIONNAIRE = json.loads((SRC / "rating_tables/2026-12/questionnaire.json").read_text())
results = {"passed": 0, "failed": 0}


def run(*args, stdin=None):
    return subprocess.run([CLI, *map(str, args)], input=stdin, capture_output=True, text=True, cwd=SRC)


def check(name, condition, detail=""):
    if condition:
        results["passed"] += 1
    else:
        results["failed"] += 1
        print(f"FAILED {name}: {detail}")


def subset_mismatch(expected, actual, path=""):
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{path}: expected an object, got {actual!r}"
        for k, v in expected.items():
            if k not in actual:
                return f"{path}.{k}: missing"
            m = subset_mismatch(v, actual[k], f"{path}.{k}")
            if m:
                return m
        return ""
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return f"{path}: expected {expected!r}, got {actual!r}"
        for i, (e, a) in enumerate(zip(expected, actual)):
            m = subset_mismatch(e, a, f"{path}[{i}]")
            if m:
                return m
        return ""
    return "" if expected == actual else f"{path}: expected {expected!r}, got {actual!r}"


def request_of(golden):
    request = json.loads(json.dumps(golden["request"]))
    if "fill_answers" in golden:
        answers = request.setdefault("answers", {})
        for item in QUESTIONNAIRE["items"]:
            answers.setdefault(item["id"], golden["fill_answers"])
    return request


def test_examples():
    for path in sorted((SRC / "examples/requests").glob("*.json")):
        p = run("quote", path)
        check(f"quote {path.name}", p.returncode == 0 and "Risk tier:" in p.stdout, p.stderr)
        p = run("quote", path, "--json")
        ok = p.returncode == 0
        doc = json.loads(p.stdout) if ok else {}
        check(f"quote --json {path.name}", ok and doc.get("tables", {}).get("edition") == "2026-12", p.stderr)
        p = run("quote", path, "--lang", "ja")
        check(f"quote --lang ja {path.name}", p.returncode == 0 and "リスク区分" in p.stdout, p.stderr)
        p = run("assess", path)
        check(f"assess {path.name}", p.returncode == 0 and "Security assessment score:" in p.stdout, p.stderr)


def test_golden_files_through_the_cli():
    with tempfile.TemporaryDirectory() as tmp:
        for kind, command in (("quotes", "quote"), ("assessments", "assess"), ("errors", None)):
            for path in sorted((SRC / "tests/golden" / kind).glob("*.json")):
                golden = json.loads(path.read_text())
                request_file = pathlib.Path(tmp) / path.name
                request_file.write_text(json.dumps(request_of(golden)))
                cmd = command or ("assess" if golden.get("request_type") == "assessment" else "quote")
                p = run(cmd, request_file, "--json")
                if "expected_error" in golden:
                    err = golden["expected_error"]
                    fragments = err.get("message_contains", []) + ([err["where"]] if "where" in err else [])
                    missing = [f for f in fragments if f not in p.stderr]
                    check(f"error {path.name}", p.returncode == 2 and not missing and p.stdout == "",
                          f"exit {p.returncode}, stderr {p.stderr!r} lacks {missing}")
                else:
                    if p.returncode != 0:
                        check(f"golden {path.name}", False, p.stderr)
                        continue
                    m = subset_mismatch(golden["expected"], json.loads(p.stdout))
                    check(f"golden {path.name}", not m, m)


def test_stdin_and_worked_example():
    request = request_of({"fill_answers": "yes", "request": {
        "quote_date": "2026-12-15",
        "company": {"industry": "manufacturing", "employees": 40, "capital_yen": 50000000,
                    "revenue_yen": 400000000, "endpoints": 48},
        "security_action": "two_star", "answers": {},
        "controls": {"utm": "managed", "edr": {"status": "managed", "covered_endpoints": 45,
                                                "installed_on": "2026-11-10"},
                     "legacy_os_endpoints": 0, "phishing_click_rate": 0.04, "incidents_3y": 1},
        "bundle_plan": "utm_edr", "service_monthly_price_yen": 80000,
        "top_up": {"liability": {"limit_yen": 100000000},
                   "response": {"limit_yen": 10000000, "deductible_yen": 100000},
                   "interruption": {"limit_yen": 10000000, "deductible_yen": 500000}},
        "subsidy_program": "sme-cyber-support-2026"}})
    p = run("quote", "-", "--json", stdin=json.dumps(request))
    doc = json.loads(p.stdout) if p.returncode == 0 else {}
    top_up = doc.get("top_up") or {}
    check("worked example 1 via stdin",
          top_up.get("annual_premium_yen") == 35800 and top_up.get("payable_annual_yen") == 23870
          and top_up.get("monthly_instalment_yen") == 2090
          and doc["base_cover"]["monthly_premium_yen"] == 765, p.stdout[:300] + p.stderr)
    p = run("quote", "-", stdin=json.dumps(request))
    check("readable quote shows the arithmetic", "¥35,800 = round10(¥37,680 x 0.95)" in p.stdout
          and "monthly instalment ¥2,090" in p.stdout, p.stdout)


def test_errors_and_exit_codes():
    p = run("quote", "-", stdin='{"quote_date": ')
    check("malformed JSON exits 2", p.returncode == 2 and "malformed JSON" in p.stderr, p.stderr)
    p = run("quote", "/nonexistent/request.json")
    check("missing file exits 2", p.returncode == 2 and "/nonexistent/request.json" in p.stderr, p.stderr)
    p = run("frobnicate")
    check("unknown command exits 2 with usage", p.returncode == 2 and "usage:" in p.stderr, p.stderr)
    p = run("quote", "x.json", "--lang", "fr")
    check("bad --lang exits 2", p.returncode == 2 and "--lang must be ja or en" in p.stderr, p.stderr)
    p = run("tables", "check", SRC / "rating_tables")
    check("tables check passes the defaults", p.returncode == 0 and "ok  edition 2026-12" in p.stdout, p.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        bad = pathlib.Path(tmp) / "2026-12"
        bad.mkdir()
        for f in (SRC / "rating_tables/2026-12").glob("*.json"):
            (bad / f.name).write_bytes(f.read_bytes())
        top_up = json.loads((bad / "top_up.json").read_text())
        top_up["tier_factors"]["C"] = -1
        (bad / "top_up.json").write_text(json.dumps(top_up))
        p = run("tables", "check", tmp)
        check("tables check rejects a bad factor", p.returncode == 2 and "top_up.json: tier_factors.C" in p.stderr
              and "positive" in p.stderr, p.stderr)
    p = run("--help")
    check("--help exits 0", p.returncode == 0 and "cybercover quote" in p.stdout)


for test in (test_examples, test_golden_files_through_the_cli, test_stdin_and_worked_example,
             test_errors_and_exit_codes):
    test()
print(f"{results['passed']} passed, {results['failed']} failed")
sys.exit(1 if results["failed"] else 0)
