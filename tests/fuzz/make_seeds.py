#!/usr/bin/env python3
"""Writes the fuzz targets' raw seeds and their dictionaries (docs/reliability.md).

Seeds come from the examples and the golden files: every request of examples/requests/ and
tests/golden/ (with "fill_answers" expanded), portfolio CSVs of the golden quotes in the
CLI's column order, and the table files of the default edition and of the test edition
(tests/data/editions/2027-04), each prefixed with the byte that makes fuzz_tables replace
that file. scripts/fuzz.sh --merge-into-repo minimises these (libFuzzer -merge=1) into
tests/fuzz/corpus/<target>/; the raw seeds are never committed.

The dictionaries (tests/fuzz/dict/*.dict, committed) hold every key and string value of the
seeds plus the tokens and numbers at the edges of the contract and of JSON.

Usage: make_seeds.py SEED_DIR [--dicts DICT_DIR]
"""
import argparse
import csv
import io
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
EDITION = ROOT / "rating_tables" / "2026-12"
TEST_EDITION = ROOT / "tests" / "data" / "editions" / "2027-04"
SECTIONS = ["liability", "response", "interruption"]

# Tokens at the edges of JSON and of the contract's bounds.
EDGE_TOKENS = [
    "{", "}", "[", "]", ",", ":", '"', "\\", "null", "true", "false", "\\u0000", "\\ud800", "\\udc00",
    "\\u00e9", "\\n", "\\\"", b"\xef\xbb\xbf", b"\xff", b"\xe3\x81", b"\x00", b"\x1b", "-0", "0", "1", "-1", "0.5", "1.5", "1e400",
    "-1e400", "2e308", "1E+2", "8e1", "80.0", "0.0001", "0.00005", "NaN", "Infinity", "-Infinity",
    "9223372036854775807", "9223372036854775808", "-9223372036854775808", "18446744073709551616",
    "4611686018427387904", "1000", "1001", "1000000", "1000001", "10000000", "10000001", "1000000000000",
    "1000000000001", "1000000000000000", "1000000000000001", "1899-12-31", "1900-01-01", "2199-12-31",
    "2200-01-01", "2026-12-15", "2027-02-29", "2028-02-29", "2026-12-15T00:00:00", "na", "yes", "partial",
    "no", "unknown",
]
CSV_TOKENS = [",", '"', '""', "\r\n", "\n", "\r", b"\xef\xbb\xbf", "=", "+", "-", "@", "\t", ",,", '","']


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def request_of(golden, questionnaire):
    request = golden["request"]
    if "fill_answers" in golden:
        answers = request.setdefault("answers", {})
        for item in questionnaire["items"]:
            answers.setdefault(item["id"], golden["fill_answers"])
    return request


def golden_requests(kind, questionnaire):
    for path in sorted((ROOT / "tests" / "golden" / kind).glob("*.json")):
        golden = load(path)
        yield path.stem, golden.get("request_type", "quote" if kind != "assessments" else "assessment"), \
            request_of(golden, questionnaire)


def compact_table(name, raw):
    """A table file as fuzz_tables.cpp's compact() writes it."""
    table = json.loads(raw)
    if name == "questionnaire.json":
        for item in table["items"]:
            for key in ("question_ja", "question_en", "measure_ja", "measure_en"):
                item[key] = item[key][:1]
    return json.dumps(table, ensure_ascii=False, separators=(",", ":")).encode()


def csv_row(request, item_ids):
    """One CSV row for a request, as tests/cli/test_cli.py writes them."""
    company, controls = request.get("company", {}), request.get("controls", {})
    edr = controls.get("edr", {})
    row = {"quote_date": request.get("quote_date", ""), "industry": company.get("industry", ""),
           "employees": company.get("employees", ""), "capital_yen": company.get("capital_yen", ""),
           "revenue_yen": company.get("revenue_yen", ""), "endpoints": company.get("endpoints", ""),
           "rubber_products": str(company.get("rubber_products", False)).lower(),
           "security_action": request.get("security_action", "none"), "utm": controls.get("utm", ""),
           "edr_status": edr.get("status", ""), "edr_covered_endpoints": edr.get("covered_endpoints", ""),
           "edr_installed_on": edr.get("installed_on", ""),
           "legacy_os_endpoints": controls.get("legacy_os_endpoints", ""),
           "phishing_click_rate": controls.get("phishing_click_rate", ""),
           "incidents_3y": controls.get("incidents_3y", ""), "bundle_plan": request.get("bundle_plan", ""),
           "subsidy_program": request.get("subsidy_program", ""),
           "service_monthly_price_yen": request.get("service_monthly_price_yen", "")}
    for s in SECTIONS:
        cover = (request.get("top_up") or {}).get(s)
        row[f"{s}_limit_yen"] = cover.get("limit_yen", "") if cover else ""
        row[f"{s}_deductible_yen"] = cover.get("deductible_yen", "") if cover else ""
    for item in item_ids:
        row[item] = (request.get("answers") or {}).get(item, "")
    return row


def csv_text(rows, columns):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def dict_entry(token):
    data = token.encode("utf-8") if isinstance(token, str) else token
    out = ""
    for b in data:
        out += "\\\\" if b == 0x5C else '\\"' if b == 0x22 else chr(b) if 0x20 <= b < 0x7F else f"\\x{b:02x}"
    return f'"{out}"'


def collect_strings(value, keys, values):
    if isinstance(value, dict):
        for k, v in value.items():
            keys.add(k)
            collect_strings(v, keys, values)
    elif isinstance(value, list):
        for v in value:
            collect_strings(v, keys, values)
    elif isinstance(value, str) and len(value.encode()) <= 40:
        values.add(value)


def write_dict(path, title, tokens):
    lines = [f"# {title}", "# Generated by tests/fuzz/make_seeds.py: every key and short string of the seeds,",
             "# plus tokens at the edges of JSON and of the request contract."]
    seen = set()
    for t in tokens:
        entry = dict_entry(t)
        if entry not in seen and len(entry) > 2:
            seen.add(entry)
            lines.append(entry)
    path.write_text("\n".join(lines) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("seed_dir", type=pathlib.Path)
    parser.add_argument("--dicts", type=pathlib.Path, help="also write the dictionaries into this directory")
    args = parser.parse_args()
    questionnaire = load(EDITION / "questionnaire.json")
    item_ids = [item["id"] for item in questionnaire["items"]]
    dirs = {t: args.seed_dir / t for t in ("fuzz_quote", "fuzz_assess", "fuzz_csv", "fuzz_tables")}
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)

    # Requests: the examples as written (pretty, with comments of layout), the golden ones compact.
    requests = []
    for path in sorted((ROOT / "examples" / "requests").glob("*.json")):
        (dirs["fuzz_quote"] / f"example_{path.stem}.json").write_bytes(path.read_bytes())
        (dirs["fuzz_assess"] / f"example_{path.stem}.json").write_bytes(path.read_bytes())
        requests.append(load(path))
    for kind in ("quotes", "errors", "assessments"):
        for name, request_type, request in golden_requests(kind, questionnaire):
            text = json.dumps(request, ensure_ascii=False, separators=(",", ":")).encode()
            target = "fuzz_assess" if request_type == "assessment" else "fuzz_quote"
            (dirs[target] / f"golden_{kind}_{name}.json").write_bytes(text)
            if kind == "quotes":
                requests.append(request)

    # Portfolio CSVs: the golden quotes two by two, one file with every column and one with
    # the required columns only (no answers: every item unanswered).
    columns = (["id", "quote_date", "industry", "employees", "capital_yen", "revenue_yen", "endpoints",
                "rubber_products", "security_action", "utm", "edr_status", "edr_covered_endpoints",
                "edr_installed_on", "legacy_os_endpoints", "phishing_click_rate", "incidents_3y",
                "bundle_plan", "subsidy_program", "service_monthly_price_yen"]
               + [f"{s}_{k}" for s in SECTIONS for k in ("limit_yen", "deductible_yen")] + item_ids)
    rows = []
    for n, request in enumerate(requests):
        row = csv_row(request, item_ids)
        row["id"] = f"R{n}"
        rows.append(row)
    for n in range(0, len(rows), 2):
        (dirs["fuzz_csv"] / f"golden_pair_{n // 2:02d}.csv").write_bytes(csv_text(rows[n:n + 2], columns))
    required = ["quote_date", "industry", "employees", "capital_yen", "revenue_yen", "endpoints", "utm",
                "edr_status", "edr_covered_endpoints", "edr_installed_on", "legacy_os_endpoints",
                "incidents_3y", "bundle_plan", "liability_limit_yen"]
    short = [{k: r[k] for k in required} for r in rows[:3]]
    (dirs["fuzz_csv"] / "required_columns.csv").write_bytes(csv_text(short, required))
    crlf = csv_text(short, required).replace(b"\n", b"\r\n")
    (dirs["fuzz_csv"] / "required_columns_crlf.csv").write_bytes(b"\xef\xbb\xbf" + crlf)

    # Tables: byte i replaces the i-th file of the edition in name order (fuzz_tables.cpp), as
    # fuzz_tables holds them (minified, item texts cut short) and, but for the 73 KB
    # questionnaire, as written.
    names = sorted(p.name for p in EDITION.glob("*.json"))
    for edition in (EDITION, TEST_EDITION):
        for i, name in enumerate(names):
            raw = (edition / name).read_bytes()
            (dirs["fuzz_tables"] / f"{edition.name}_compact_{name}").write_bytes(bytes([i]) + compact_table(name, raw))
            if name != "questionnaire.json":
                (dirs["fuzz_tables"] / f"{edition.name}_{name}").write_bytes(bytes([i]) + raw)

    if args.dicts:
        args.dicts.mkdir(parents=True, exist_ok=True)
        keys, values = set(), set()
        for r in requests:
            collect_strings(r, keys, values)
        for kind in ("errors", "assessments"):
            for _, _, r in golden_requests(kind, questionnaire):
                collect_strings(r, keys, values)
        request_tokens = EDGE_TOKENS + sorted(f'"{k}":' for k in keys) + sorted(f'"{v}"' for v in values)
        write_dict(args.dicts / "request.dict", "Requests as JSON text (fuzz_quote, fuzz_assess).", request_tokens)
        csv_tokens = CSV_TOKENS + [t for t in EDGE_TOKENS if t not in ("{", "}", "[", "]", ":", "\\")] + sorted(columns) + sorted(values)
        write_dict(args.dicts / "csv.dict", "Portfolio CSV files (fuzz_csv).", csv_tokens)
        tkeys, tvalues = set(), set()
        for edition in (EDITION, TEST_EDITION):
            for name in names:
                collect_strings(load(edition / name), tkeys, tvalues)
        table_tokens = EDGE_TOKENS + sorted(f'"{k}":' for k in tkeys) + sorted(f'"{v}"' for v in tvalues)
        write_dict(args.dicts / "tables.dict", "Rating table files (fuzz_tables).", table_tokens)


if __name__ == "__main__":
    main()
