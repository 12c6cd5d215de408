"""HTML rendering of results for Jupyter (``Quote._repr_html_``, ``Assessment._repr_html_``).

Works on the §7 JSON as returned by ``to_dict()``; every value is escaped.
"""

from __future__ import annotations

from html import escape
from typing import Any, Iterable, List, Mapping, Optional, Sequence

__all__ = ["assessment_html", "quote_html"]

_STYLE = (
    "<style>"
    ".cybercover table{border-collapse:collapse;margin:0.2em 0 0.6em 0}"
    ".cybercover th,.cybercover td{padding:2px 8px;border-bottom:1px solid #ddd;text-align:left}"
    ".cybercover td.num{text-align:right;font-variant-numeric:tabular-nums}"
    ".cybercover caption{text-align:left;font-weight:bold;padding-top:0.4em}"
    "</style>"
)


def _text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value) if value else "—"
    return escape(str(value))


def _yen(value: Optional[int]) -> str:
    return "—" if value is None else f"¥{value:,}"


def _cell(value: str, numeric: bool = False) -> str:
    return f'<td class="num">{value}</td>' if numeric else f"<td>{value}</td>"


def _table(caption: str, header: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[int] = ()) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(_cell(v, i in numeric) for i, v in enumerate(row)) + "</tr>" for row in rows
    )
    return f"<table><caption>{escape(caption)}</caption><tr>{head}</tr>{body}</table>"


def _pairs(caption: str, rows: Iterable[Sequence[str]]) -> str:
    """Return a two-column table; keys and values are HTML (escape data before)."""
    body = "".join(f"<tr><th>{k}</th>{_cell(v, True)}</tr>" for k, v in rows)
    return f"<table><caption>{escape(caption)}</caption>{body}</table>"


def _factor_rows(factors: Iterable[Mapping[str, Any]]) -> List[Sequence[str]]:
    """Return one row per factor: "× name (table row)" and its value."""
    rows = []
    for f in factors:
        row = f.get("row")
        shown = _yen(row) if f.get("name") in ("limit", "deductible") and isinstance(row, int) else _text(row)
        value = f.get("value")
        rows.append((f"× {_text(f.get('name'))} ({shown})", f"{value:g}" if isinstance(value, float) else _text(value)))
    return rows


# Display order of the default product's sections; any other section follows by name.
_SECTION_ORDER = {"liability": 0, "response": 1, "interruption": 2}


def _tables_line(tables: Mapping[str, Any]) -> str:
    sha = str(tables.get("sha256") or "")
    return (
        f"<p><small>tables edition {_text(tables.get('edition'))}, "
        f"sha256 <code>{escape(sha[:16])}…</code></small></p>"
    )


def quote_html(q: Mapping[str, Any]) -> str:
    """Return an HTML rendering of a quote.

    Parameters
    ----------
    q : Mapping
        A quote as ``Quote.to_dict()`` returns it.

    Returns
    -------
    str
        Tables for the posture adjustments, the decision, the base cover, each top-up
        section with its factors, and the totals.
    """
    parts: List[str] = [_STYLE, '<div class="cybercover">']
    decision = q.get("decision") or {}
    top_up = q.get("top_up")
    headline = (
        f"<b>Quote</b>: tier <b>{_text(q.get('tier'))}</b>, "
        f"{_text(decision.get('outcome'))}"
    )
    if decision.get("codes"):
        headline += f" ({_text(decision.get('codes'))})"
    if top_up is not None:
        headline += f", top-up {_yen(top_up.get('annual_premium_yen'))}/yr"
    parts.append(f"<p>{headline}</p>")

    posture = q.get("posture") or {}
    rows = [["assessment score", _text(posture.get("score"))]]
    rows += [[_text(a.get("code")), f"{a.get('points'):+d}"] for a in posture.get("adjustments", [])]
    rows.append(["<b>posture index</b>", f"<b>{_text(posture.get('index'))}</b>"])
    rows.append(["tier", f"<b>{_text(q.get('tier'))}</b>"])
    parts.append(_table("Posture", ["", "points"], rows, numeric=(1,)))

    sme = decision.get("sme") or {}
    parts.append(
        _pairs(
            "Decision",
            [
                ("outcome", _text(decision.get("outcome"))),
                ("codes", _text(decision.get("codes"))),
                ("SME", f"{_text(sme.get('is_sme'))} ({_text(sme.get('category'))})"),
            ],
        )
    )

    base = q.get("base_cover")
    if base is None:
        parts.append("<p>Base cover: none (plan <code>none</code>)</p>")
    else:
        rows = [
            ("plan", _text(base.get("plan"))),
            ("limit", _yen(base.get("limit_yen"))),
            ("rate", _yen(base.get("rate_yen"))),
        ]
        rows += _factor_rows(base.get("factors", []))
        rows += [
            ("monthly premium", _yen(base.get("monthly_premium_yen"))),
            ("annual premium", _yen(base.get("annual_premium_yen"))),
        ]
        cap = base.get("price_cap")
        if cap:
            within = "within" if cap.get("within") else "above"
            rows.append(("service price cap", f"{_yen(cap.get('service_monthly_price_yen'))} {within} {_yen(cap.get('cap_yen'))}"))
        parts.append(_pairs("Base cover", rows))

    if top_up is None:
        parts.append("<p>Top-up: none</p>")
    else:
        sections = top_up.get("sections") or {}
        for name in sorted(sections, key=lambda n: (_SECTION_ORDER.get(n, len(_SECTION_ORDER)), n)):
            s = sections[name]
            base_premium = s.get("base_premium") or {}
            rows = [
                ("limit", _yen(s.get("limit_yen"))),
                ("deductible", _yen(s.get("deductible_yen"))),
                (f"base premium (revenue band {_text(base_premium.get('revenue_band'))})", _yen(base_premium.get("yen"))),
            ]
            rows += _factor_rows(s.get("factors", []))
            rows.append(("<b>annual premium</b>", f"<b>{_yen(s.get('annual_premium_yen'))}</b>"))
            parts.append(_pairs(f"Top-up: {name}", rows))  # _pairs escapes the caption
        multi = top_up.get("multi_section_factor") or {}
        rows = [
            ("sections total", _yen(top_up.get("sections_total_yen"))),
            _factor_rows([multi])[0] if multi else ("× multi_section", "—"),
            ("package", _yen(top_up.get("package_yen"))),
            ("minimum premium applied", _text(top_up.get("minimum_premium_applied"))),
            ("<b>annual premium</b>", f"<b>{_yen(top_up.get('annual_premium_yen'))}</b>"),
            (f"subsidy ({_text(top_up.get('subsidy_program'))})", "−" + _yen(top_up.get("subsidy_yen"))),
        ]
        if top_up.get("subsidy_code"):
            rows.append(("subsidy code", _text(top_up.get("subsidy_code"))))
        rows += [
            ("<b>payable annual</b>", f"<b>{_yen(top_up.get('payable_annual_yen'))}</b>"),
            ("monthly instalment", _yen(top_up.get("monthly_instalment_yen"))),
        ]
        parts.append(_pairs("Top-up totals", rows))

    parts.append(_tables_line(q.get("tables") or {}))
    parts.append("</div>")
    return "".join(parts)


def assessment_html(result: Mapping[str, Any], max_unmet: int = 10) -> str:
    """Return an HTML rendering of an assessment.

    Parameters
    ----------
    result : Mapping
        An assessment as ``Assessment.to_dict()`` returns it.
    max_unmet : int, optional
        How many unmet items to list (most points lost first).

    Returns
    -------
    str
        The score, the per-domain table and the top unmet items with their measures.
    """
    a = result.get("assessment") or {}
    parts: List[str] = [_STYLE, '<div class="cybercover">']
    parts.append(
        f"<p><b>Assessment</b>: score <b>{_text(a.get('score'))}</b> / {_text(a.get('max_score'))}, "
        f"unknown {_text(a.get('unknown_count'))}, unmet {len(a.get('unmet', []))}</p>"
    )
    rows = [
        [
            _text(d.get("number")),
            _text(d.get("key")),
            f"{_text(d.get('earned'))} / {_text(d.get('applicable'))}",
            _text(d.get("percent")),
        ]
        for d in a.get("domains", [])
    ]
    parts.append(_table("Domains", ["#", "domain", "points", "%"], rows, numeric=(2, 3)))
    unmet = a.get("unmet", [])
    if unmet:
        rows = [
            [_text(u.get("id")), _text(u.get("points_lost")), _text(u.get("measure_en"))]
            for u in unmet[:max_unmet]
        ]
        caption = f"Unmet items (top {min(max_unmet, len(unmet))} of {len(unmet)})"
        parts.append(_table(caption, ["item", "points lost", "measure"], rows, numeric=(1,)))
    for w in a.get("warnings", []):
        parts.append(f"<p>⚠ {_text(w.get('id'))}: {_text(w.get('message'))}</p>")
    parts.append(_tables_line(result.get("tables") or {}))
    parts.append("</div>")
    return "".join(parts)
