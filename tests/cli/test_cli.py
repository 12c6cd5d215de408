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
sys.path.insert(0, str(SRC / "tests/golden"))
import golden_rules  # noqa: E402  (tests/golden/golden_rules.py: shared with pytest)
from golden_rules import subset_mismatch  # noqa: E402

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


def request_of(golden):
    return golden_rules.request_of(golden, [item["id"] for item in QUESTIONNAIRE["items"]])


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
                    fragments = err.get("message_contains", []) + ([err["field"]] if "field" in err else [])
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


def test_loss_model():
    import math
    p = run("loss", "examples/requests/manufacturer_300_staff.json", "--json")
    doc = json.loads(p.stdout) if p.returncode == 0 else {}
    layers = {l["layer"]: l for l in doc.get("layers", [])}
    check("loss lists the base cover and each selected section",
          sorted(layers) == ["base_cover", "interruption", "liability", "response"], p.stdout + p.stderr)
    if layers:
        # Closed form of docs/rating_rules.md §6 for the base cover: lambda x p x LEV(A).
        mu, sigma, a = math.log(44000), 2.37, 3_000_000
        lev = (math.exp(mu + sigma ** 2 / 2) * 0.5 * math.erfc(-((math.log(a) - mu - sigma ** 2) / sigma) / math.sqrt(2))
               + a * 0.5 * math.erfc(((math.log(a) - mu) / sigma) / math.sqrt(2)))
        base = layers["base_cover"]
        check("base cover expected loss follows the closed form",
              abs(base["expected_loss_yen"] - doc["incident_frequency"] * 0.10 * lev) < 1e-6 * lev, base)
        check("indicated premium is expected loss over the target loss ratio",
              abs(base["indicated_premium_yen"] - base["expected_loss_yen"] / 0.60) < 1e-6, base)
        check("response attaches above the base limit and deductible", layers["response"]["attachment_yen"] == 3_300_000,
              layers["response"])
    p = run("loss", "examples/requests/manufacturer_300_staff.json")
    check("readable loss table", p.returncode == 0 and "indicated" in p.stdout, p.stderr)


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


ITEM_IDS = [item["id"] for item in QUESTIONNAIRE["items"]]
SECTIONS = ["liability", "response", "interruption"]
CSV_COLUMNS = (["id", "quote_date", "industry", "employees", "capital_yen", "revenue_yen", "endpoints",
                "rubber_products", "security_action", "utm", "edr_status", "edr_covered_endpoints",
                "edr_installed_on", "legacy_os_endpoints", "phishing_click_rate", "incidents_3y",
                "bundle_plan", "service_monthly_price_yen", "prior_annual_premium_yen"]
               + [f"{s}_{k}" for s in SECTIONS for k in ("limit_yen", "deductible_yen")] + ITEM_IDS)


def csv_row(name, request):
    company, controls = request["company"], request["controls"]
    edr = controls["edr"]
    row = {"id": name, "quote_date": request["quote_date"], "industry": company["industry"],
           "employees": company["employees"], "capital_yen": company["capital_yen"],
           "revenue_yen": company["revenue_yen"], "endpoints": company["endpoints"],
           "rubber_products": str(company.get("rubber_products", False)).lower(),
           "security_action": request.get("security_action", "none"), "utm": controls["utm"],
           "edr_status": edr["status"], "edr_covered_endpoints": edr.get("covered_endpoints", ""),
           "edr_installed_on": edr.get("installed_on", ""),
           "legacy_os_endpoints": controls["legacy_os_endpoints"],
           "phishing_click_rate": controls.get("phishing_click_rate", ""),
           "incidents_3y": controls["incidents_3y"], "bundle_plan": request["bundle_plan"],
           "service_monthly_price_yen": request.get("service_monthly_price_yen", ""),
           "prior_annual_premium_yen": request.get("prior_annual_premium_yen", "")}
    for s in SECTIONS:
        cover = request.get("top_up", {}).get(s)
        row[f"{s}_limit_yen"] = cover["limit_yen"] if cover else ""
        row[f"{s}_deductible_yen"] = cover.get("deductible_yen", "") if cover else ""
    for item in ITEM_IDS:
        row[item] = request["answers"].get(item, "")
    return row


def write_csv(path, rows):
    import csv
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def read_csv(path):
    import csv
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def expected_row(response):
    top_up, base = response["top_up"], response["base_cover"]
    out = {"ok": "true", "error": "", "score": str(response["assessment"]["score"]),
           "posture_index": str(response["posture"]["index"]), "tier": response["tier"],
           "outcome": response["decision"]["outcome"], "decision_codes": "|".join(response["decision"]["codes"]),
           "base_monthly_premium_yen": str(base["monthly_premium_yen"]) if base else "",
           "annual_premium_yen": str(top_up["annual_premium_yen"]) if top_up else "",
           "payable_annual_yen": str(top_up["payable_annual_yen"]) if top_up else "",
           "monthly_instalment_yen": str(top_up["monthly_instalment_yen"]) if top_up else "",
           "subsidy_code": (top_up["subsidy_code"] or "") if top_up else ""}
    for s in SECTIONS:
        sec = (top_up or {}).get("sections", {}).get(s)
        out[f"{s}_premium_yen"] = str(sec["annual_premium_yen"]) if sec else ""
    return out


def test_price_csv_equals_single_quotes():
    groups = {"sme-cyber-support-2026": [], None: []}
    requests = {}
    paths = sorted((SRC / "tests/golden/quotes").glob("*.json")) + sorted((SRC / "examples/requests").glob("*.json"))
    for path in paths:
        golden = json.loads(path.read_text())
        request = request_of(golden) if "request" in golden else golden
        program = request.get("subsidy_program")
        if program not in groups:
            continue
        requests[path.stem] = request
        groups[program].append(csv_row(path.stem, request))
    bad = dict(csv_row("bad_employees", requests["01_worked_example_1"]), employees="-3")
    bad_answer = dict(csv_row("bad_answer", requests["01_worked_example_1"]), **{"D01.1": "maybe"})
    groups[None] += [bad, bad_answer]
    with tempfile.TemporaryDirectory() as tmp:
        for program, rows in groups.items():
            src, dst = pathlib.Path(tmp) / "in.csv", pathlib.Path(tmp) / "out.csv"
            write_csv(src, rows)
            args = ["price", src, "-o", dst, "--threads", "2"] + (["--subsidy", program] if program else [])
            p = run(*args)
            check(f"price exit code ({program})", p.returncode == 0, p.stderr)
            out = {r["id"]: r for r in read_csv(dst)} if p.returncode == 0 else {}
            for row in rows:
                name = row["id"]
                if name.startswith("bad_"):
                    continue
                response = json.loads(run("quote", "-", "--json", stdin=json.dumps(requests[name])).stdout)
                expected = expected_row(response)
                got = out.get(name, {})
                diff = {k: (v, got.get(k)) for k, v in expected.items() if got.get(k) != v}
                check(f"price row {name} equals the single quote", not diff, diff)
            if program is None:
                check("bad row keeps the single quote's message",
                      out.get("bad_employees", {}).get("error") ==
                      "[cybercover.input.below_minimum] company.employees: must be an integer between 1 and 1000000, got -3"
                      f' (row {rows.index(bad) + 1}, id "bad_employees", column "employees")'
                      and out["bad_employees"]["error_code"] == "input.below_minimum"
                      and out["bad_employees"]["ok"] == "false", out.get("bad_employees"))
                check("bad answer names the item", "answers.D01.1" in out.get("bad_answer", {}).get("error", ""),
                      out.get("bad_answer"))
        p = run("price", pathlib.Path(tmp) / "in.csv", "-o", pathlib.Path(tmp) / "x.csv", "--errors", "raise")
        check("--errors raise stops at the first bad row", p.returncode == 2 and "row " in p.stderr
              and "company.employees" in p.stderr, p.stderr)
        (pathlib.Path(tmp) / "odd.csv").write_text("industry,employees,colour\n")
        p = run("price", pathlib.Path(tmp) / "odd.csv", "-o", "-")
        check("unknown CSV column is rejected by name", p.returncode == 2 and "[cybercover.input.unknown_column] colour: unknown column" in p.stderr,
              p.stderr)


def small_retailer_row(answer, utm, plan, top_up):
    """A CSV row of a 12-person retailer answering every item `answer`."""
    return csv_row("r", request_of({"fill_answers": answer, "request": {
        "quote_date": "2026-12-15",
        "company": {"industry": "retail", "employees": 12, "capital_yen": 10000000, "revenue_yen": 90000000,
                    "endpoints": 8},
        "answers": {}, "controls": {"utm": utm, "edr": {"status": "none"}, "legacy_os_endpoints": 0,
                                    "incidents_3y": 0},
        "bundle_plan": plan, "top_up": top_up}}))


def test_price_csv_progress_bar_on_a_terminal():
    """With standard error on a terminal, price draws a progress bar; in a pipe it does not."""
    import os
    import pty
    row = small_retailer_row(answer="yes", utm="none", plan="none", top_up={})
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = pathlib.Path(tmp) / "in.csv", pathlib.Path(tmp) / "out.csv"
        write_csv(src, [row] * 20000)
        leader, follower = pty.openpty()
        p = subprocess.run([CLI, "price", str(src), "-o", str(dst)], stderr=follower, stdout=subprocess.DEVNULL, cwd=SRC)
        os.close(follower)
        shown = b""
        try:
            while True:
                chunk = os.read(leader, 65536)
                if not chunk:
                    break
                shown += chunk
        except OSError:
            pass
        os.close(leader)
        text = shown.decode(errors="replace")
        check("progress bar on a terminal", p.returncode == 0 and "100%" in text and "#" in text
              and "20000 rows" in text, text[-300:])
        p = run("price", src, "-o", dst)
        check("no progress bar in a pipe", p.returncode == 0 and "#" not in p.stderr and "priced 20000 of 20000" in p.stderr,
              p.stderr)


def test_price_csv_memory_is_constant():
    """Peak memory of a 10x larger file stays flat: the file is streamed in chunks."""
    row = small_retailer_row(answer="partial", utm="managed", plan="utm", top_up={"liability": {"limit_yen": 30000000}})
    peaks = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in (10000, 100000):
            src = pathlib.Path(tmp) / f"in{n}.csv"
            write_csv(src, [row] * n)
            code = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
                    "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
                    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
            p = subprocess.run([sys.executable, "-c", code, CLI, "price", str(src), "-o", str(pathlib.Path(tmp) / "o.csv"),
                                "--no-progress"], capture_output=True, text=True, cwd=SRC)
            peaks[n] = int(p.stdout.strip() or 0)
            lines = sum(1 for _ in open(pathlib.Path(tmp) / "o.csv"))
            check(f"price wrote {n} rows", lines == n + 1, lines)
    check("peak memory does not grow with the file", 0 < peaks[100000] < peaks[10000] * 1.5 + 8000, peaks)
    print(f"price peak RSS (KiB): {peaks}")


for test in (test_examples, test_golden_files_through_the_cli, test_stdin_and_worked_example,
             test_errors_and_exit_codes, test_loss_model, test_price_csv_equals_single_quotes, test_price_csv_progress_bar_on_a_terminal,
             test_price_csv_memory_is_constant):
    test()
print(f"{results['passed']} passed, {results['failed']} failed")
sys.exit(1 if results["failed"] else 0)
