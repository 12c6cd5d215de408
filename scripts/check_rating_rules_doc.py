#!/usr/bin/python3
"""Check that the numbers of docs/rating_rules.md are those of the default edition's tables.

Usage: /usr/bin/python3 scripts/check_rating_rules_doc.py

Reads rating_tables/2026-12/*.json and, for every table of figures the page shows (domains,
posture adjustments, tiers, SME categories, base cover, limits and deductibles, revenue
bands, factor lists, subsidy, loss model, the edition's sha256), renders what the page must
say and fails, listing each difference, when the page says something else. In §8 each
worked example must state, in bold, the score, index, tier, outcome and every premium of
its golden file (tests/golden/quotes/01-03, whose figures every door reproduces).
"""
import hashlib
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
EDITION = ROOT / "rating_tables/2026-12"
DOC = (ROOT / "docs/rating_rules.md").read_text(encoding="utf-8")
LINES = DOC.splitlines()
T = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in EDITION.glob("*.json")}
problems = []


def yen(n):
    return f"¥{n:,}"


def short_yen(n):
    """¥10M, ¥100k, ¥0: the compact amounts of the limits table."""
    if n == 0:
        return "¥0"
    if n % 1_000_000 == 0:
        return f"¥{n // 1_000_000}M"
    return f"¥{n // 1000}k"


def f2(x):
    return f"{x:.2f}"


def require(text, where):
    """The page must contain `text` (whitespace-insensitive across line breaks)."""
    flat = re.sub(r"\s+", " ", DOC)
    if re.sub(r"\s+", " ", text) not in flat:
        problems.append(f"{where}: the page should say {text!r}")


def section_lines(n):
    """The lines of section §n ("## n. ..." up to the next "## ")."""
    start = next(i for i, line in enumerate(LINES) if line.startswith(f"## {n}. "))
    end = next((i for i in range(start + 1, len(LINES)) if LINES[i].startswith("## ")), len(LINES))
    return LINES[start:end]


def row_starting(prefix, lines=LINES):
    rows = [line for line in lines if line.startswith(prefix)]
    if len(rows) != 1:
        problems.append(f"expected one table row starting {prefix!r}, found {len(rows)}")
        return ""
    return rows[0]


def require_in_row(prefix, *texts):
    row = row_starting(prefix)
    for t in texts:
        if row and t not in row:
            problems.append(f"row {prefix!r}: should contain {t!r}: {row}")


# ---- §0 the edition's hash
h = hashlib.sha256()
for name in sorted(p.name for p in EDITION.glob("*.json")):
    h.update(name.encode() + b"\0" + (EDITION / name).read_bytes() + b"\0")
require(f"`{h.hexdigest()}`", "§0 sha256")
require(" ".join(f"`{n}`," for n in sorted(p.name for p in EDITION.glob("*.json")))[:-1], "§0 file order")

# ---- §1 domains, items, points, SECURITY ACTION and na items
q = T["questionnaire"]
require(f"The points sum to `max_score` = {q['max_score']}", "§1 max_score")
for d in q["domains"]:
    items = [i for i in q["items"] if i["domain"] == d["number"]]
    tagged = ", ".join(f"{i['id']} {i['security_action'].replace('_', '-')} ({i['points']})"
                       for i in items if i.get("security_action"))
    na = ", ".join(i["id"] for i in items if i.get("allow_na"))
    row = row_starting(f"| {d['number']} | ", section_lines(1))
    cells = [c.strip() for c in row.strip("|").split("|")] if row else []
    if cells[2:] != [str(len(items)), str(sum(i["points"] for i in items)), tagged, na]:
        problems.append(f"§1 domain {d['number']}: expected items {len(items)}, points "
                        f"{sum(i['points'] for i in items)}, tagged {tagged!r}, na {na!r}: {row}")
require(f"| | **total** | **{len(q['items'])}** | **{sum(i['points'] for i in q['items'])}** |", "§1 totals")
credits = q["answer_credits"]
require(f"`yes` earns the item's points × {credits['yes']:g}, `partial` × {credits['partial']:g}, "
        f"`no` and `unknown` × {credits['no']:g}", "§1 credits")
for star in ("one_star", "two_star"):
    points = sum(i["points"] for i in q["items"] if i.get("security_action") == star)
    require(f"({points} {'points in all' if star == 'one_star' else 'more points'})", f"§1 {star} points")

# ---- §2 posture
p = T["posture"]
require_in_row("| UTM `managed`", f"+{p['utm']['managed_points']}")
require_in_row("| UTM `unmanaged`", f"+{p['utm']['unmanaged_points']}")
require_in_row("| EDR `managed`, installed ≥", f"≥ {p['edr']['learning_days']} days",
               f"rhu({p['edr']['managed_max_points']} × covered / endpoints)")
require_in_row("| EDR `managed`, installed fewer", f"fewer than {p['edr']['learning_days']} days",
               f"rhu({p['edr']['learning_max_points']} × covered / endpoints)")
require_in_row("| EDR `self_managed`", f"rhu({p['edr']['self_managed_max_points']} × covered / endpoints)")
require_in_row("| at least one end-of-support", f"| −{-p['legacy_os_points']} |")
require_in_row("| phishing drill click rate", f"≤ {p['phishing']['low_max_rate']:g}", f"+{p['phishing']['low_points']}")
require_in_row("| click rate >", f"> {p['phishing']['high_above_rate']:g}", f"−{-p['phishing']['high_points']}")
inc = p["prior_incidents"]
require_in_row("| n ≥ 1 incidents", f"−{-inc['points_per_incident']} × min(n, {inc['max_counted']})")
require(f"floored at\n`posture.json: index_floor` = {p['index_floor']}", "§2 floor")
tiers = p["tiers"]
require("| tier | " + " | ".join(t["tier"] for t in tiers) + " |", "§2 tier names")
require("| posture index | " + " | ".join(f"≥ {t['min_index']}" for t in tiers[:-1])
        + f" | below {tiers[-2]['min_index']} |", "§2 tier minimums")

# ---- §3 underwriting
u = T["underwriting"]
for c in u["sme_categories"]:
    industries = [i["key"] for i in u["industries"] if i["sme_category"] == c["key"]]
    rubber = [i["key"] for i in u["industries"] if i.get("rubber_products_category") == c["key"]]
    require_in_row(f"| `{c['key']}` |", f"| {yen(c['capital_max_yen'])} | {c['employees_max']} |",
                   *(industries or [f"{r} declared with `rubber_products: true`" for r in rubber]))
    if industries:
        require_in_row(f"| `{c['key']}` |", "| " + ", ".join(industries) + " |")
require(f"revenue is above\n   {yen(u['revenue_max_yen'])}", "§3 revenue limit")
r = u["refer"]
thl = r["tier_high_limit"]
require(f"tier {', '.join(thl['tiers'])} and a {thl['section']} limit above {yen(thl['limit_above_yen'])} selected",
        "§3 TIER_E_HIGH_LIMIT")
require(f"unknown count ≥ {r['too_many_unknown_min']}", "§3 TOO_MANY_UNKNOWN")
require(f"incidents in three years ≥ {r['prior_incidents_min']}", "§3 PRIOR_INCIDENTS")
if r["legacy_os_unprotected_min"] != 1:
    problems.append("§3 LEGACY_OS_UNPROTECTED: the page says 'at least one'")

# ---- §4 base cover
b = T["base_cover"]
bands = [x["max_employees"] for x in b["employee_bands"]]
labels, low = [], 1
for m in bands:
    labels.append(f"{low}–{m}" if m else f"{low}+")
    low = (m or 0) + 1
require("monthly rate by employees: " + " / ".join(labels), "§4 employee bands")
for plan, spec in b["plans"].items():
    rate = spec["monthly_rate"]
    if "by_employee_band_yen" in rate:
        text = " / ".join(yen(x) for x in rate["by_employee_band_yen"])
    else:
        text = f"{yen(rate['per_covered_endpoint_yen'])} per covered endpoint, at least {yen(rate['minimum_yen'])}"
    require_in_row(f"| `{plan}` | {yen(spec['limit_yen'])} |", text)
    cap = spec["price_cap"]
    parts = ([yen(cap["fixed_yen"])] if cap.get("fixed_yen") else []) + (
        [f"{yen(cap['per_covered_endpoint_yen'])} × covered endpoints"] if cap.get("per_covered_endpoint_yen") else [])
    require(f"`{plan}` {' + '.join(parts)}", f"§4 price cap {plan}")
require("tier factors " + ", ".join(f"{k} {f2(v)}" for k, v in b["tier_factors"].items()), "§4 tier factors")
require(f"Annual premium = {b['months_per_year']} × monthly", "§4 months")

# ---- §5 top-up
t = T["top_up"]
for s in t["sections"]:
    limits = " · ".join(f"{short_yen(x['limit_yen'])} {f2(x['factor'])}" for x in s["limits"])
    deds = " · ".join(f"{short_yen(x['deductible_yen'])} {f2(x['factor'])}" for x in s["deductibles"])
    require_in_row(f"| `{s['key']}` {s['name_ja']}", f"| {limits} | {deds} |")
    require(f"{short_yen(s['default_deductible_yen'])}" if s["key"] != "liability" else "¥0 for liability",
            f"§5 default deductible {s['key']}")
    if s["excess_over_base_cover"]:
        require(f"× excess factor, {s['key']} only", f"§5 excess {s['key']}")
require("¥0 for liability, ¥100,000 for response and interruption", "§5 default deductibles")
for n, band in enumerate(t["revenue_bands"], 1):
    cells = " | ".join(f"{band['base_premium_yen'][s['key']]:,}" for s in t["sections"])
    require(f"| {n} | {yen(band['max_revenue_yen'])} | {cells} |", f"§5 revenue band {n}")
require(" · ".join(f"{k} {f2(v)}" for k, v in t["industry_factors"].items()), "§5 industry factors")
require("Top-up tier (`tier_factors`): " + " · ".join(f"{k} {f2(v)}" for k, v in t["tier_factors"].items()),
        "§5 tier factors")
ex = t["excess_factors"]
require(f"plan `none` {f2(ex['none'])} · `utm` {f2(ex['utm'])} · `edr` {f2(ex['edr'])} · `utm_edr` {f2(ex['utm_edr'])}",
        "§5 excess factors")
m = t["multi_section_factors"]
require(f"{f2(m[0])} for one section, {f2(m[1])} for two, {f2(m[2])} for three", "§5 multi-section")
require(f"max(package, {yen(t['minimum_premium_yen'])})", "§5 minimum")
require(f"ceil10(payable × {t['instalment']['loading']:g} / {t['instalment']['months']})", "§5 instalment")
for prog in T["subsidies"]["programs"]:
    share = prog["share"]
    require(f"`{prog['id']}` ({prog['name_ja']}) pays {share['numerator']}/{share['denominator']} of the\nannual premium, "
            f"at most {yen(prog['cap_yen'])}, from {prog['in_force_from']} to {prog['in_force_to']}", "§5 subsidy")

# ---- §6 loss model
lm = T["loss_model"]
require(" / ".join(f"{x:.2f}" for x in lm["frequency"]["tier_c_lambda_by_employee_band"]) + ", times a tier multiplier",
        "§6 frequencies")
require(" · ".join(f"{k} {v:.2f}" for k, v in lm["frequency"]["tier_multipliers"].items()), "§6 tier multipliers")
require(f"median {yen(int(lm['severity']['median_yen']))} and\n  σ = {lm['severity']['sigma']:g}", "§6 severity")
sec = lm["sections"]
require("probability " + ", ".join(f"{k} {sec[k]['claim_probability']:.2f}" for k in ("response", "liability", "interruption")),
        "§6 claim probabilities")
require("(" + ", ".join(f"{k} {sec[k]['loss_scale']:g}" for k in ("response", "liability", "interruption")) + ")",
        "§6 loss scales")
tl = lm["target_loss_ratio"]
require(f"(base cover {tl['base_cover']:.2f}, top-up {tl['top_up']:.2f})", "§6 target loss ratios")

# ---- §8 the worked examples state their golden files' figures
examples = "\n".join(section_lines(8)).split("### Example ")[1:]
for n, text in enumerate(examples, 1):
    golden = json.loads(next((ROOT / "tests/golden/quotes").glob(f"0{n}_worked_example_{n}.json")).read_text())
    e = golden["expected"]
    want = [f"**{e['assessment']['score']}**", f"**{e['posture']['index']}**", f"tier **{e['tier']}**",
            f"**{e['decision']['outcome']}**"]
    if e["base_cover"]:
        want += [f"**{yen(e['base_cover']['monthly_premium_yen'])}**", f"**{yen(e['base_cover']['annual_premium_yen'])}**"]
    if e["top_up"]:
        top = e["top_up"]
        want += [f"**{yen(x['annual_premium_yen'])}**" for x in top["sections"].values()]
        want += [f"**{yen(top[k])}**" for k in ("package_yen", "annual_premium_yen", "subsidy_yen",
                                               "payable_annual_yen", "monthly_instalment_yen")]
    flat = re.sub(r"\s+", " ", text)
    for w in want:
        if w not in flat:
            problems.append(f"§8 example {n}: should state {w} (golden file)")
if len(examples) != 3:
    problems.append(f"§8: expected three worked examples, found {len(examples)}")

for p in problems:
    print("FAILED", p)
print(f"{'FAILED' if problems else 'ok'}: docs/rating_rules.md against {EDITION.relative_to(ROOT)}, "
      f"{len(problems)} problem(s)")
sys.exit(1 if problems else 0)
