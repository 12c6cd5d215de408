#!/usr/bin/python3
"""Runs examples/cpp/quote_example and checks what it prints.

* With no argument it quotes worked example 1 built in C++ with the default tables: every
  figure and calculation is compared with the hand computation of docs/rating_rules.md.
* With a request file (each of examples/requests/, worked examples 2 and 3) every figure,
  factor row and calculation it prints must equal the CLI's JSON response for that file.
* A bad request exits 2 with the library's message.
* The sha256 it prints is recomputed here from the table files.

Usage: test_quote_example.py QUOTE_EXAMPLE CYBERCOVER_CLI SOURCE_DIR BUILD_TABLES_DIR
"""
import hashlib
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile

EXAMPLE, CLI = sys.argv[1], sys.argv[2]
SRC, BUILD_TABLES = pathlib.Path(sys.argv[3]), pathlib.Path(sys.argv[4])
sys.path.insert(0, str(SRC / "tests/golden"))
import golden_rules  # noqa: E402  (expands the golden files' "fill_answers")

failures = []
ENV = {k: v for k, v in os.environ.items() if k != "CYBERCOVER_TABLES"}


def check(name, condition, detail=""):
    if not condition:
        failures.append(name)
        print(f"FAILED {name}: {detail}")


def run(*cmd, cwd=None):
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, cwd=cwd, env=ENV)


def edition_sha256(edition_dir):
    """Files sorted by relative path, each fed in as path, NUL, bytes, NUL."""
    h = hashlib.sha256()
    for f in sorted(p.name for p in edition_dir.glob("*.json")):
        h.update(f.encode() + b"\0" + (edition_dir / f).read_bytes() + b"\0")
    return h.hexdigest()


SHA = edition_sha256(SRC / "rating_tables/2026-12")
check("the build tree's copy of the tables is the source edition", edition_sha256(BUILD_TABLES / "2026-12") == SHA)


def parse(text):
    """Reads the example's output into the figures the JSON response also has."""
    out = {"sections": {}}
    m = re.search(r"^tables +edition (\S+),", text, re.M)
    out["edition"] = m and m.group(1)
    m = re.search(r"^sha256 +([0-9a-f]{64})$", text, re.M)
    out["sha256"] = m and m.group(1)
    m = re.search(r"^assessment +score (\d+) of 1000, unknown (\d+), unmet items (\d+)$", text, re.M)
    out["assessment"] = m and tuple(map(int, m.groups()))
    m = re.search(r"^posture +index (\d+) = score (\d+)((?: [+-] [A-Z_]+ \d+)*) \(floored at 0\)$", text, re.M)
    if m:
        out["index"], out["score"] = int(m.group(1)), int(m.group(2))
        out["adjustments"] = [{"code": c, "points": int(p) * (-1 if s == "-" else 1)}
                              for s, c, p in re.findall(r" ([+-]) ([A-Z_]+) (\d+)", m.group(3))]
    m = re.search(r"^tier +(\S+)$", text, re.M)
    out["tier"] = m and m.group(1)
    m = re.search(r"^decision +(\w+), codes \[([A-Z_, ]*)\], SME (yes|no)", text, re.M)
    if m:
        out["decision"] = (m.group(1), [c for c in m.group(2).split(", ") if c], m.group(3) == "yes")
    m = re.search(r"^  monthly +rhu\((\d+) x ([\d.]+)\) = (\d+) yen$", text, re.M)
    out["base"] = m and (int(m.group(1)), m.group(2), int(m.group(3)))
    m = re.search(r"^  annual +12 x (\d+) = (\d+) yen$", text, re.M)
    out["base_annual"] = m and int(m.group(2))
    for name, limit, ded, body in re.findall(
            r"^  (\w+): limit (\d+), deductible (\d+)\n((?:    .*\n)+)", text, re.M):
        factors = re.search(r"^    factors +(.*)$", body, re.M).group(1)
        out["sections"][name] = {
            "limit_yen": int(limit), "deductible_yen": int(ded),
            "factors": [{"name": n, "row": r, "value": v} for n, r, v in re.findall(r"(\w+) (\S+) = ([\d.]+)", factors)],
            "calculation": re.search(r"^    premium +(.*)$", body, re.M).group(1),
            "base": int(re.search(r"^    base +(\d+) yen \(revenue band (\d+)", body, re.M).group(1)),
        }
    for key, pattern in (("package", r"^  package +round10\((\d+) x ([\d.]+)\) = (\d+) yen"),
                         ("annual", r"^  annual +max\((\d+), minimum (\d+)\) = (\d+) yen$"),
                         ("subsidy", r"^  subsidy +(\d+) yen"),
                         ("payable", r"^  payable +(\d+) - (\d+) = (\d+) yen$"),
                         ("instalment", r"^  instalment +ceil10\((\d+) x 1\.05 / 12\) = (\d+) yen/month$")):
        m = re.search(pattern, text, re.M)
        out[key] = m and m.groups()
    return out


def expect_equal(name, got, want):
    check(name, got == want, f"printed {got!r}, expected {want!r}")


# ---- 1. The built-in request: worked example 1, computed by hand (docs/rating_rules.md §8).
with tempfile.TemporaryDirectory() as empty:
    p = run(EXAMPLE, cwd=empty)
check("built-in request: exit 0", p.returncode == 0, p.stderr)
text = p.stdout
for line in [
    "tables      edition 2026-12, in force 2026-12-01 to 2027-03-31",
    f"sha256      {SHA}",
    "assessment  score 1000 of 1000, unknown 0, unmet items 0",
    "posture     index 1163 = score 1000 + UTM_MANAGED 120 + EDR_MANAGED 113 + PHISHING_LOW 30"
    " - PRIOR_INCIDENTS 100 (floored at 0)",
    "tier        A",
    "decision    accept, codes [], SME yes (manufacturing_other: capital <= 300000000 or employees <= 300)",
    "base cover  plan utm_edr, limit 3000000 yen",
    "  rate        850 yen/month (employee band 2: band part 850, endpoint part 0)",
    "  factor      tier A = 0.9",
    "  monthly     rhu(850 x 0.9) = 765 yen",
    "  annual      12 x 765 = 9180 yen",
    "  price cap   service 80000 yen/month, cap 100000: within",
    "  liability: limit 100000000, deductible 0",
    "    base        37000 yen (revenue band 4: revenue <= 500000000)",
    "    factors     industry manufacturing = 1, tier A = 0.55, limit 100000000 = 1, deductible 0 = 1",
    "    premium     round10(37000 x 1 x 0.55 x 1 x 1) = 20350",
    "    factors     industry manufacturing = 1, tier A = 0.55, limit 10000000 = 0.6, deductible 100000 = 1,"
    " excess utm_edr = 0.9",
    "    premium     round10(30000 x 1 x 0.55 x 0.6 x 1 x 0.9) = 8910",
    "    factors     industry manufacturing = 1, tier A = 0.55, limit 10000000 = 1, deductible 500000 = 0.9",
    "    premium     round10(17000 x 1 x 0.55 x 1 x 0.9) = 8420",
    "  package     round10(37680 x 0.95) = 35800 yen (multi-section row 3)",
    "  annual      max(35800, minimum 15000) = 35800 yen",
    "  subsidy     11930 yen (sme-cyber-support-2026)",
    "  payable     35800 - 11930 = 23870 yen",
    "  instalment  ceil10(23870 x 1.05 / 12) = 2090 yen/month",
]:
    check(f"built-in request prints {line.strip()!r}", line in text.splitlines(), "\n" + text)

# ---- 2. Request files: what it prints equals the CLI's JSON response, figure by figure.
questionnaire = json.loads((SRC / "rating_tables/2026-12/questionnaire.json").read_text())
ids = [i["id"] for i in questionnaire["items"]]
with tempfile.TemporaryDirectory() as tmp:
    requests = sorted((SRC / "examples/requests").glob("*.json"))
    for name in ("02_worked_example_2", "03_worked_example_3"):
        golden = json.loads((SRC / f"tests/golden/quotes/{name}.json").read_text())
        path = pathlib.Path(tmp) / f"{name}.json"
        path.write_text(json.dumps(golden_rules.request_of(golden, ids)))
        requests.append(path)
    for path in requests:
        p = run(EXAMPLE, path)
        c = run(CLI, "quote", path, "--json")
        check(f"{path.name}: both exit 0", p.returncode == 0 and c.returncode == 0, p.stderr + c.stderr)
        if p.returncode or c.returncode:
            continue
        got, doc = parse(p.stdout), json.loads(c.stdout)
        a, top, base = doc["assessment"], doc["top_up"], doc["base_cover"]
        expect_equal(f"{path.name}: edition", (got["edition"], got["sha256"]), (doc["tables"]["edition"], SHA))
        expect_equal(f"{path.name}: assessment", got["assessment"], (a["score"], a["unknown_count"], len(a["unmet"])))
        expect_equal(f"{path.name}: posture", (got.get("index"), got.get("adjustments")),
                     (doc["posture"]["index"], doc["posture"]["adjustments"]))
        expect_equal(f"{path.name}: tier", got["tier"], doc["tier"])
        expect_equal(f"{path.name}: decision", got.get("decision"),
                     (doc["decision"]["outcome"], doc["decision"]["codes"], doc["decision"]["sme"]["is_sme"]))
        if base is None:
            check(f"{path.name}: no base cover", "base cover  none (bundle plan none)" in p.stdout, p.stdout)
        else:
            expect_equal(f"{path.name}: base cover", (got["base"], got["base_annual"]),
                         ((base["rate_yen"], str(base["factors"][0]["value"]).rstrip("0").rstrip("."),
                           base["monthly_premium_yen"]), base["annual_premium_yen"]))
        if top is None:
            check(f"{path.name}: no top-up", "top-up      none" in p.stdout, p.stdout)
            continue
        for name, s in top["sections"].items():
            want = {"limit_yen": s["limit_yen"], "deductible_yen": s["deductible_yen"], "base": s["base_premium"]["yen"],
                    "calculation": s["calculation"],
                    "factors": [{"name": f["name"], "row": str(f["row"]),
                                 "value": format(f["value"], "g")} for f in s["factors"]]}
            expect_equal(f"{path.name}: section {name}", got["sections"].get(name), want)
        check(f"{path.name}: section count", len(got["sections"]) == len(top["sections"]), str(got["sections"]))
        expect_equal(f"{path.name}: package", got["package"],
                     (str(top["sections_total_yen"]), format(top["multi_section_factor"]["value"], "g"),
                      str(top["package_yen"])))
        expect_equal(f"{path.name}: annual", got["annual"][2], str(top["annual_premium_yen"]))
        expect_equal(f"{path.name}: subsidy", got["subsidy"], (str(top["subsidy_yen"]),))
        expect_equal(f"{path.name}: payable", got["payable"][2], str(top["payable_annual_yen"]))
        expect_equal(f"{path.name}: instalment", got["instalment"],
                     (str(top["payable_annual_yen"]), str(top["monthly_instalment_yen"])))

    # ---- 3. A bad request: the library's error, exit 2.
    golden = json.loads((SRC / "tests/golden/quotes/01_worked_example_1.json").read_text())
    request = golden_rules.request_of(golden, ids)
    request["company"]["employees"] = -3
    bad = pathlib.Path(tmp) / "bad.json"
    bad.write_text(json.dumps(request))
    p = run(EXAMPLE, bad)
    c = run(CLI, "quote", bad)
    message = c.stderr.removeprefix("cybercover: ")
    check("bad request: the library's error, naming the code, the field and the value",
          message.startswith("[cybercover.input.below_minimum] company.employees: ") and message.endswith("got -3\n"),
          c.stderr)
    expect_equal("bad request: exit 2 with the same message as the CLI", (p.returncode, p.stdout, p.stderr),
                 (2, "", "quote_example: " + message))

print(f"{'FAILED' if failures else 'ok'}: {len(failures)} failed check(s)")
sys.exit(1 if failures else 0)
