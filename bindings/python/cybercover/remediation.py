"""Remediation plans and the company's feedback report.

:meth:`Engine.remediation` re-quotes every measure a company can take (each unmet item
answered ``yes``; a managed UTM; managed EDR on every PC; end-of-support PCs replaced; a
phishing drill) and ranks them by the yen they save a year; it also gives the cheapest set of
measures that reaches the next risk tier and the one after. :meth:`Engine.report_html` and
:meth:`Quote.report_html` give the one-page report for the company, in Japanese or English,
written by the C++ library. :meth:`Engine.remediation_frame` plans a whole book.

Importing :mod:`cybercover` attaches these methods to :class:`Engine` and :class:`Quote`.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any, Dict, Iterable, List, Literal, Optional

from . import _core
from ._core import Engine, Quote

__all__ = ["RemediationPlan", "Report"]


class Report(str):
    """The feedback report: the HTML page itself (a ``str``), one self-contained file.

    Write it to a file as it is; in a notebook it shows in a sandboxed frame, so that its
    print styles do not touch the notebook's.

    Examples
    --------
    >>> report = engine.report_html(request, lang="en")  # doctest: +SKIP
    >>> open("report.html", "w", encoding="utf-8").write(report)  # doctest: +SKIP
    """

    __slots__ = ()

    def _repr_html_(self) -> str:
        """Return the report in an ``<iframe srcdoc>`` for Jupyter."""
        return (
            '<iframe sandbox="" style="width:100%;height:960px;border:1px solid #d0d7de" srcdoc="'
            + escape(str(self), quote=True)
            + '"></iframe>'
        )

    def __repr__(self) -> str:
        return f"Report({len(self)} characters)"


class RemediationPlan:
    """A remediation plan: every measure re-quoted, ranked, and the cheapest sets per tier.

    Built by :meth:`Engine.remediation` or :meth:`Quote.remediation`. Immutable; :meth:`to_dict`
    gives the JSON document described in ``docs/remediation.md``.

    Attributes
    ----------
    baseline : dict
        The company's quote as it stands: score, posture index, tier, decision, base cover,
        top-up and ``insured_cost_yen`` (payable top-up plus base cover).
    measures : list of dict
        Every measure, by ``yen_saved`` then ``points_gained`` (descending), each with its
        re-quote (``after``), ``yen_saved`` and ``cost`` (effort class, one-off, monthly and
        first-year yen).
    targets : list of dict
        The cheapest set of measures that reaches the next tier, then the tier after
        (``measures`` are ids; ``refer_to_accept`` says whether the set turns a refer into an
        accept). Empty for a company already in the best tier.

    Examples
    --------
    >>> plan = engine.remediation(request)  # doctest: +SKIP
    >>> plan.best_measure["id"], plan.best_measure["yen_saved"]  # doctest: +SKIP
    ('legacy_os_replaced', 4260)
    >>> plan.next_tier["measures"], plan.next_tier["cost_yen"]  # doctest: +SKIP
    (['phishing_drill', 'D01.1', 'D22.1'], 70000)
    """

    __slots__ = ("_text", "_dict")

    def __init__(self, text: str) -> None:
        """Private: built from the library's JSON text."""
        self._text = text
        self._dict: Dict[str, Any] = json.loads(text)

    @property
    def baseline(self) -> Dict[str, Any]:
        return self._dict["baseline"]

    @property
    def measures(self) -> List[Dict[str, Any]]:
        return self._dict["measures"]

    @property
    def targets(self) -> List[Dict[str, Any]]:
        return self._dict["targets"]

    @property
    def best_measure(self) -> Optional[Dict[str, Any]]:
        """dict or None: The top-ranked measure; None when nothing is left to do."""
        return self.measures[0] if self.measures else None

    @property
    def next_tier(self) -> Optional[Dict[str, Any]]:
        """dict or None: The cheapest set reaching the next tier; None in the best tier."""
        return self.targets[0] if self.targets else None

    def to_dict(self) -> Dict[str, Any]:
        """Return the plan as a fresh dict (the JSON document)."""
        return json.loads(self._text)

    def to_json(self) -> str:
        """Return the plan as the library's compact JSON text."""
        return self._text

    def to_frame(self) -> Any:
        """Return the measures as a pandas DataFrame, one row per measure in rank order.

        Returns
        -------
        pandas.DataFrame
            Columns ``rank``, ``id``, ``kind``, ``points_gained``, ``tier_after``,
            ``outcome_after``, ``yen_saved``, ``effort``, ``cost_yen`` (first year),
            ``in_next_tier_set`` and ``measure_ja`` / ``measure_en``.
        """
        import pandas as pd

        in_set = set(self.next_tier["measures"]) if self.next_tier else set()
        rows = [
            {
                "rank": m["rank"],
                "id": m["id"],
                "kind": m["kind"],
                "points_gained": m["points_gained"],
                "tier_after": m["after"]["tier"],
                "outcome_after": m["after"]["decision"]["outcome"],
                "yen_saved": m["yen_saved"],
                "effort": m["cost"]["effort"],
                "cost_yen": m["cost"]["first_year_yen"],
                "in_next_tier_set": m["id"] in in_set,
                "measure_ja": m["measure_ja"],
                "measure_en": m["measure_en"],
            }
            for m in self.measures
        ]
        return pd.DataFrame(rows, columns=list(rows[0]) if rows else None)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RemediationPlan) and other._text == self._text

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        nt = self.next_tier
        target = (
            f", next_tier={nt['tier']!r}, next_tier_cost_yen={nt['cost_yen']}" if nt and nt["reachable"] else ""
        )
        return f"RemediationPlan(tier={self.baseline['tier']!r}, measures={len(self.measures)}{target})"

    def _repr_html_(self) -> str:
        """Return the top measures as an HTML table for Jupyter."""
        in_set = set(self.next_tier["measures"]) if self.next_tier else set()
        head = "".join(f"<th>{h}</th>" for h in ("rank", "measure", "points", "tier", "yen saved", "cost"))
        body = "".join(
            "<tr>"
            f"<td>{'★ ' if m['id'] in in_set else ''}{m['rank']}</td>"
            f"<td>{escape(m['id'])}: {escape(m['measure_en'])}</td>"
            f"<td>{m['points_gained']:+d}</td><td>{escape(m['after']['tier'])}</td>"
            f"<td>¥{m['yen_saved']:,}</td><td>¥{m['cost']['first_year_yen']:,}</td>"
            "</tr>"
            for m in self.measures[:15]
        )
        caption = escape(repr(self))
        return f"<table><caption>{caption}</caption><tr>{head}</tr>{body}</table>"


def _check_lang(lang: str) -> str:
    if lang not in ("ja", "en"):
        raise ValueError(f"lang must be 'ja' or 'en', got {lang!r}")
    return lang


# ---- Engine methods ---------------------------------------------------------------------------
def remediation(self: Engine, request: Any) -> RemediationPlan:
    """Plan the measures that lower a company's premiums (docs/remediation.md).

    Every measure is re-quoted by the engine with everything else unchanged; the cheapest set
    reaching a tier is found by an exact search.

    Parameters
    ----------
    request : dict or QuoteRequest
        A quote request (RATE_MANUAL §7), as for :meth:`Engine.quote`.

    Returns
    -------
    RemediationPlan

    Raises
    ------
    InputError
        The request is invalid (the same error :meth:`Engine.quote` gives).
    """
    return RemediationPlan(_core._remediation_json(self, request))


def report_html(
    self: Engine, request: Any, *, lang: Literal["ja", "en"] = "ja", company_name: Optional[str] = None,
    max_measures: int = 10,
) -> Report:
    """Return the company's feedback report: one self-contained HTML page (docs/report.md).

    Parameters
    ----------
    request : dict or QuoteRequest
        A quote request, as for :meth:`Engine.quote`.
    lang : {'ja', 'en'}, optional
        Keyword-only. The language of the report (default Japanese).
    company_name : str, optional
        Keyword-only. Shown at the top, always as text; at most 200 bytes.
    max_measures : int, optional
        Keyword-only. Rows of the plan table besides the highlighted next-tier set (0-200).

    Returns
    -------
    Report
        The HTML text (a ``str``); shown in a frame in notebooks.
    """
    return Report(_core._report_html(self, request, _check_lang(lang), company_name, max_measures))


def remediation_frame(
    self: Engine, requests: Iterable[Any], *, threads: Optional[int] = None,
    errors: Literal["raise", "collect"] = "raise",
) -> Any:
    """Plan a whole book: per request the best single measure and the next-tier set.

    Runs the C++ plans on all cores with the GIL released; row ``i`` is request ``i``.

    Parameters
    ----------
    requests : iterable of dict or QuoteRequest
        Quote requests, as for :meth:`Engine.quote`.
    threads : int, optional
        Keyword-only. Worker threads; ``None`` or 0 uses every core.
    errors : {'raise', 'collect'}, optional
        Keyword-only. ``'raise'`` (default) raises the first bad row's error; ``'collect'``
        puts each bad row's message in the ``error`` column (``ok`` False, figures missing).

    Returns
    -------
    pandas.DataFrame
        Columns ``ok``, ``error``, ``tier``, ``outcome``, ``insured_cost_yen``,
        ``measure_count``, ``best_measure``, ``best_yen_saved``, ``best_points_gained``,
        ``best_cost_yen``, ``next_tier``, ``next_tier_reachable``, ``next_tier_measure_count``,
        ``next_tier_cost_yen``, ``next_tier_yen_saved``, ``next_tier_refer_to_accept``.
        Figures that do not apply (a bad row; no measure; already the best tier) are ``<NA>``.
    """
    import numpy as np
    import pandas as pd

    if errors not in ("raise", "collect"):
        raise ValueError(f"errors must be 'raise' or 'collect', got {errors!r}")
    if threads is not None and (not isinstance(threads, int) or isinstance(threads, bool) or threads < 0):
        raise ValueError(f"threads must be None or an int >= 0, got {threads!r}")
    if isinstance(requests, (dict, str, bytes)):
        raise TypeError("requests must be an iterable of requests (a list of dicts), not a single request")
    c = _core._remediation_batch(self, list(requests), threads or 0, errors == "collect")
    ok = np.asarray(c["ok"], dtype=bool)
    has_best = ok & (np.asarray(c["measure_count"]) > 0)
    has_next = ok & np.asarray(c["has_next_tier"], dtype=bool)
    reachable = has_next & np.asarray(c["next_tier_reachable"], dtype=bool)

    def ints(name: str, valid: Any) -> Any:
        return pd.arrays.IntegerArray(np.asarray(c[name], dtype=np.int64), ~valid)

    def flags(name: str, valid: Any) -> Any:
        return pd.arrays.BooleanArray(np.asarray(c[name], dtype=bool), ~valid)

    frame = pd.DataFrame(
        {
            "ok": ok,
            "error": pd.Series(c["error"], dtype=object),
            "tier": pd.Series(c["tier"], dtype=object),
            "outcome": pd.Series(c["outcome"], dtype=object),
            "insured_cost_yen": ints("insured_cost_yen", ok),
            "measure_count": ints("measure_count", ok),
            "best_measure": pd.Series(c["best_measure"], dtype=object),
            "best_yen_saved": ints("best_yen_saved", has_best),
            "best_points_gained": ints("best_points_gained", has_best),
            "best_cost_yen": ints("best_cost_yen", has_best),
            "next_tier": pd.Series(c["next_tier"], dtype=object),
            "next_tier_reachable": flags("next_tier_reachable", has_next),
            "next_tier_measure_count": ints("next_tier_measure_count", reachable),
            "next_tier_cost_yen": ints("next_tier_cost_yen", reachable),
            "next_tier_yen_saved": ints("next_tier_yen_saved", reachable),
            "next_tier_refer_to_accept": flags("next_tier_refer_to_accept", reachable),
        }
    )
    return frame


# ---- Quote methods ----------------------------------------------------------------------------
def quote_remediation(self: Quote) -> RemediationPlan:
    """Plan the measures for the request this quote priced (see :meth:`Engine.remediation`).

    Raises
    ------
    ValueError
        The quote was rebuilt from a pickle and no longer carries its request.
    """
    return RemediationPlan(_core._quote_remediation_json(self))


def quote_report_html(
    self: Quote, *, lang: Literal["ja", "en"] = "ja", company_name: Optional[str] = None, max_measures: int = 10
) -> Report:
    """Return the feedback report of the request this quote priced (see :meth:`Engine.report_html`).

    Parameters
    ----------
    lang : {'ja', 'en'}, optional
        Keyword-only. The language of the report (default Japanese).
    company_name : str, optional
        Keyword-only. Shown at the top, always as text.
    max_measures : int, optional
        Keyword-only. Rows of the plan table besides the highlighted set.

    Returns
    -------
    Report

    Raises
    ------
    ValueError
        The quote was rebuilt from a pickle and no longer carries its request.
    """
    return Report(_core._quote_report_html(self, _check_lang(lang), company_name, max_measures))


remediation.__qualname__ = "Engine.remediation"
report_html.__qualname__ = "Engine.report_html"
remediation_frame.__qualname__ = "Engine.remediation_frame"
quote_remediation.__name__ = "remediation"
quote_remediation.__qualname__ = "Quote.remediation"
quote_report_html.__name__ = "report_html"
quote_report_html.__qualname__ = "Quote.report_html"
Engine.remediation = remediation  # type: ignore[attr-defined]
Engine.report_html = report_html  # type: ignore[attr-defined]
Engine.remediation_frame = remediation_frame  # type: ignore[attr-defined]
Quote.remediation = quote_remediation  # type: ignore[attr-defined]
Quote.report_html = quote_report_html  # type: ignore[attr-defined]
