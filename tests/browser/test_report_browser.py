#!/usr/bin/env python3
"""The feedback report in a real browser: `cybercover report` output rendered by headless
Chromium in Japanese and English, checked against the engine's own JSON.

For each company and language it checks:
* the HTML is well-formed (an XML parser reads it) and self-contained (no script, no link);
* Chromium's rendered DOM (--dump-dom) shows the score, the tier, the decision, the top measure
  with its yen saved, the next-tier set highlighted, and an SVG with 24 bars whose values and
  widths are the domain percentages of the quote;
* a PNG screenshot (saved under ARTIFACT_DIR) is the window's size and not blank;
* the A4 PDF printed by `cybercover report --pdf` holds the same text (pdftotext).
Then: markup in the company name or in a table text stays text; the command never overwrites
its input, leaves existing files alone when it fails, and writes only complete files.

Usage: test_report_browser.py PATH/TO/cybercover SOURCE_DIR ARTIFACT_DIR
Prints 'N passed, N failed' and exits non-zero on any failure.
"""
import html
import json
import os
import pathlib
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zlib
from html.parser import HTMLParser

CLI = sys.argv[1]
SRC = pathlib.Path(sys.argv[2])
ART = pathlib.Path(sys.argv[3])
ART.mkdir(parents=True, exist_ok=True)
CHROMIUM = os.environ.get("CYBERCOVER_CHROMIUM", "chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
                  "--no-default-browser-check"]
results = {"passed": 0, "failed": 0}


def check(name, condition, detail=""):
    if condition:
        results["passed"] += 1
    else:
        results["failed"] += 1
        print(f"FAILED {name}: {detail}")


def run(*args, check_rc=True):
    p = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, cwd=SRC)
    if check_rc and p.returncode != 0:
        raise RuntimeError(f"cybercover {' '.join(map(str, args))} failed: {p.stderr}")
    return p


def chromium(*args):
    """Runs headless Chromium with a fresh profile; returns its stdout (bytes)."""
    with tempfile.TemporaryDirectory() as profile:
        p = subprocess.run([CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                           capture_output=True, timeout=180)
    if p.returncode != 0:
        raise RuntimeError(f"chromium {args} failed: {p.stderr.decode(errors='replace')[-500:]}")
    return p.stdout


# ---- a small DOM from Chromium's serialisation ------------------------------------------------
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []

    def text(self):
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self):
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.iter()

    def classes(self):
        return self.attrs.get("class", "").split()


class DomBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.cur)
        self.cur.children.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def dom_of(html_text):
    b = DomBuilder()
    b.feed(html_text)
    return b.root


def by_id(dom, ident):
    return next((n for n in dom.iter() if n.attrs.get("id") == ident), None)


def squash(text):
    return re.sub(r"\s+", "", text)


# ---- PNG check without extra packages ---------------------------------------------------------
def png_size_and_variety(path):
    data = pathlib.Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    idat, pos = b"", 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(idat)
    return width, height, len(set(raw[:: max(1, len(raw) // 200000)]))


def yen_text(lang, v):
    return f"{v:,}円" if lang == "ja" else f"¥{v:,}"


# ---- the companies ------------------------------------------------------------------------------
def retailer():
    return {
        "quote_date": "2026-12-15",
        "company": {"industry": "retail", "employees": 30, "capital_yen": 10000000, "revenue_yen": 80000000,
                    "endpoints": 20},
        "answers": {item["id"]: "partial" for item in
                    json.loads((SRC / "rating_tables/2026-12/questionnaire.json").read_text())["items"]},
        "controls": {"utm": "unmanaged", "edr": {"status": "none"}, "legacy_os_endpoints": 2,
                     "phishing_click_rate": 0.2, "incidents_3y": 0},
        "bundle_plan": "none",
        "top_up": {"liability": {"limit_yen": 30000000}},
    }


def declined():
    r = retailer()
    r["company"].update(industry="services", employees=150, capital_yen=100000000, revenue_yen=2000000000)
    r["controls"].update(utm="managed")
    r["bundle_plan"] = "utm"
    return r


def companies(tmp):
    out = []
    for name, req in (("retailer", retailer()), ("declined", declined())):
        path = pathlib.Path(tmp) / f"{name}.json"
        path.write_text(json.dumps(req))
        out.append((name, path))
    for name in ("manufacturer_30_staff", "services_20_staff"):
        out.append((name, SRC / "examples/requests" / f"{name}.json"))
    return out


def test_report(name, request, lang, tmp):
    tag = f"{name}/{lang}"
    company = "株式会社 テスト商事" if lang == "ja" else "Test Trading Co., Ltd."
    out_html, out_pdf = pathlib.Path(tmp) / f"{name}_{lang}.html", ART / f"report_{name}_{lang}.pdf"
    run("report", request, "-o", out_html, "--pdf", out_pdf, "--lang", lang, "--company", company)
    quote = json.loads(run("quote", request, "--json").stdout)
    plan = json.loads(run("report", request, "--json").stdout)
    text = out_html.read_text(encoding="utf-8")
    shutil.copy(out_html, ART / f"report_{name}_{lang}.html")

    # Well-formed, self-contained.
    try:
        root = ET.fromstring(text.split("\n", 1)[1])  # after <!DOCTYPE html>
        check(f"{tag} well-formed", root.tag == "html" and root.attrib.get("lang") == lang, root.attrib)
    except ET.ParseError as e:
        check(f"{tag} well-formed", False, str(e))
    check(f"{tag} no script", "<script" not in text.lower(), "")
    check(f"{tag} no external resource",
          not re.search(r"(src|href)\s*=|url\(|@import|https?://(?!www\.w3\.org/2000/svg)", text), "")

    # The rendered DOM.
    dom = dom_of(chromium("--dump-dom", out_html.resolve().as_uri()).decode("utf-8"))
    check(f"{tag} no script element", not any(n.tag == "script" for n in dom.iter()), "")
    score = by_id(dom, "score-value")
    check(f"{tag} score", score is not None and score.text() == str(quote["assessment"]["score"]),
          score and score.text())
    tier = by_id(dom, "tier-value")
    check(f"{tag} tier", tier is not None and tier.text() == quote["tier"], tier and tier.text())
    decision = by_id(dom, "decision-text")
    check(f"{tag} decision", decision is not None and decision.attrs.get("data-outcome") == quote["decision"]["outcome"],
          decision and decision.attrs)
    name_node = by_id(dom, "company")
    check(f"{tag} company", name_node is not None and company in name_node.text(), name_node and name_node.text())

    rows = [n for n in dom.iter() if n.tag == "tr" and "measure" in n.classes()]
    top, first = plan["measures"][0], rows[0] if rows else None
    check(f"{tag} top measure", first is not None and first.attrs.get("data-id") == top["id"]
          and first.attrs.get("data-rank") == "1", first and first.attrs)
    if first is not None:
        row_text = squash(first.text())
        measure = squash(top["measure_ja" if lang == "ja" else "measure_en"])
        check(f"{tag} top measure text", measure in row_text, f"{measure!r} not in {row_text!r}")
        if top["yen_saved"] > 0:
            check(f"{tag} top measure yen", squash(yen_text(lang, top["yen_saved"])) in row_text, row_text)
        check(f"{tag} top measure points", f"+{top['points_gained']}" in row_text, row_text)
    highlighted = {n.attrs["data-id"] for n in rows if "in-set" in n.classes()}
    expected = set(plan["targets"][0]["measures"]) if plan["targets"] and plan["targets"][0]["reachable"] else set()
    check(f"{tag} next-tier set highlighted", highlighted == expected, f"{highlighted} != {expected}")

    # 24 bars with the quote's domain percentages, as values and as widths.
    bars = [n for n in dom.iter() if n.tag == "rect" and "bar" in n.classes()]
    domains = quote["assessment"]["domains"]
    check(f"{tag} 24 bars", len(bars) == 24 == len(domains), len(bars))
    for bar, d in zip(bars, domains):
        pct = d["percent"]
        value = bar.attrs.get("data-percent")
        ok = (value == "" and pct is None) or (pct is not None and value and abs(float(value) - pct) < 1e-9)
        width_ok = abs(float(bar.attrs["width"]) - 3.2 * (pct or 0)) < 0.011
        check(f"{tag} bar {d['number']}", ok and width_ok and bar.attrs.get("data-domain") == str(d["number"]),
              f"{bar.attrs} vs {pct}")

    # Screenshot: the window's size, not blank.
    png = ART / f"report_{name}_{lang}.png"
    chromium(f"--screenshot={png}", "--window-size=900,2400", "--hide-scrollbars", out_html.resolve().as_uri())
    try:
        width, height, variety = png_size_and_variety(png)
        check(f"{tag} screenshot", (width, height) == (900, 2400) and variety > 8, (width, height, variety))
    except Exception as e:  # noqa: BLE001 - report any decoding problem as a failure
        check(f"{tag} screenshot", False, repr(e))

    # The PDF: A4, a few pages, the same text.
    info = subprocess.run(["pdfinfo", str(out_pdf)], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    check(f"{tag} pdf A4", "(A4)" in info and 1 <= pages <= 5, info)
    pdf_text = squash(subprocess.run(["pdftotext", "-enc", "UTF-8", str(out_pdf), "-"], capture_output=True,
                                     text=True).stdout)
    wanted = [str(quote["assessment"]["score"]), squash(company),
              squash(top["measure_ja" if lang == "ja" else "measure_en"])[:20],
              "リスク区分" if lang == "ja" else "Yourrisktier"]
    if quote["top_up"]:
        wanted.append(squash(yen_text(lang, quote["top_up"]["annual_premium_yen"])))
    for w in wanted:
        check(f"{tag} pdf has {w[:30]}", w in pdf_text, "")


def test_markup_stays_text(tmp):
    # A company name and a table text carrying markup: the DOM holds them as text only.
    tables = pathlib.Path(tmp) / "tables"
    shutil.copytree(SRC / "rating_tables", tables)
    qpath = tables / "2026-12/questionnaire.json"
    q = json.loads(qpath.read_text())
    evil = "<script>document.title='pwned'</script><img src=x onerror=alert(1)>"
    q["items"][0]["measure_en"] = evil + " Turn on updates."
    q["domains"][0]["name_en"] = "<b>Updates</b> & more"
    qpath.write_text(json.dumps(q, ensure_ascii=False))
    request = pathlib.Path(tmp) / "retailer.json"
    request.write_text(json.dumps(retailer()))
    out = pathlib.Path(tmp) / "evil.html"
    name = "<script>alert('x')</script> & Sons"
    run("report", request, "-o", out, "--lang", "en", "--company", name, "--tables", tables)
    text = out.read_text(encoding="utf-8")
    check("markup: no raw tag", "<script" not in text and "<img" not in text and "<b>" not in text, "")
    try:
        ET.fromstring(text.split("\n", 1)[1])
        check("markup: well-formed", True)
    except ET.ParseError as e:
        check("markup: well-formed", False, str(e))
    dom = dom_of(chromium("--dump-dom", out.resolve().as_uri()).decode("utf-8"))
    tags = {n.tag for n in dom.iter()}
    check("markup: no script or img element", not ({"script", "img", "b"} & tags), tags & {"script", "img", "b"})
    title = next(n for n in dom.iter() if n.tag == "title").text()
    check("markup: title unchanged", "pwned" not in title and name in title, title)
    check("markup: name as text", name in by_id(dom, "company").text(), by_id(dom, "company").text())
    row = next(n for n in dom.iter() if n.tag == "tr" and n.attrs.get("data-id") == "D01.1")
    check("markup: item text as text", evil in row.text(), row.text())
    label = next(n for n in dom.iter() if n.tag == "text" and "label" in n.classes())
    check("markup: domain label as text", label.text() == "1. <b>Updates</b> & more", label.text())


def test_command_writes_only_complete_files(tmp):
    request = pathlib.Path(tmp) / "req.json"
    request.write_text(json.dumps(retailer()))
    before = request.read_bytes()
    # Never the input, under any name.
    for target in (request, pathlib.Path(tmp) / "." / "req.json"):
        p = run("report", request, "-o", target, check_rc=False)
        check(f"input kept ({target})", p.returncode == 2 and "io.same_file" in p.stderr
              and request.read_bytes() == before, p.stderr)
    p = run("report", request, "--pdf", request, check_rc=False)
    check("pdf never the input", p.returncode == 2 and request.read_bytes() == before, p.stderr)
    # A failure (no browser) leaves the old report as it was and no temporary file behind.
    out = pathlib.Path(tmp) / "out.html"
    out.write_text("KEEP")
    p = run("report", request, "-o", out, "--pdf", pathlib.Path(tmp) / "out.pdf", "--chromium",
            "/nonexistent/chromium", check_rc=False)
    check("failed run keeps the old file", p.returncode == 2 and out.read_text() == "KEEP"
          and "cannot start headless Chromium" in p.stderr, p.stderr)
    check("no temporary files", sorted(f.name for f in pathlib.Path(tmp).iterdir()) == ["out.html", "req.json"],
          sorted(f.name for f in pathlib.Path(tmp).iterdir()))
    bad = pathlib.Path(tmp) / "bad.json"
    bad.write_text('{"quote_date": "2026-12-15"}')
    p = run("report", bad, "-o", pathlib.Path(tmp) / "bad.html", check_rc=False)
    check("bad request: exit 2, nothing written", p.returncode == 2 and "input.missing" in p.stderr
          and not (pathlib.Path(tmp) / "bad.html").exists(), p.stderr)
    p = run("report", request, "-o", "-", "--lang", "en", check_rc=False)
    check("-o - writes to stdout", p.returncode == 0 and p.stdout.startswith("<!DOCTYPE html>"), p.stderr)
    p = run("report", request, "-o", out, "--lang", "fr", check_rc=False)
    check("bad --lang", p.returncode == 2 and "--lang must be ja or en" in p.stderr and out.read_text() == "KEEP",
          p.stderr)
    p = run("report", request, check_rc=False)
    check("no output named", p.returncode == 2 and "needs -o" in p.stderr, p.stderr)
    p = run("report", request, "-o", out)
    check("success replaces the file", out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>"), "")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        for name, request in companies(tmp):
            for lang in ("ja", "en"):
                try:
                    test_report(name, request, lang, tmp)
                except Exception as e:  # noqa: BLE001 - one company's crash must not hide the rest
                    check(f"{name}/{lang}", False, repr(e))
    with tempfile.TemporaryDirectory() as tmp:
        test_markup_stays_text(tmp)
    with tempfile.TemporaryDirectory() as tmp:
        test_command_writes_only_complete_files(tmp)
    print(f"{results['passed']} passed, {results['failed']} failed (screenshots and PDFs in {ART})")
    sys.exit(1 if results["failed"] else 0)


if __name__ == "__main__":
    main()
