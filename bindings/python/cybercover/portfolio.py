"""Portfolio batch pricing: a whole book of companies, column by column, on all cores.

:meth:`Engine.quote_arrays` prices numpy columns and :meth:`Engine.quote_frame` a pandas
DataFrame laid out like the CSV of ``cybercover price`` (the columns of
``docs/request_contract.md``). Every row goes through the request contract's checks in the C++
library, the same as :meth:`Engine.quote`, the CLI and the CSV reader: its figures equal the
single quote's to the yen whatever the number of threads, and a bad value gets the same error
(code, field, message), located by its 1-based data row, the row's ``id`` and the column.

This module only takes pandas objects apart into numpy arrays (a Categorical into codes and
categories, a nullable column into values and a mask); the conversion itself is C++. A column
that already has the batch's dtype and is C-contiguous is used without a copy (uint8 answers
and enum codes, int64 counts and yen, float64 click rates, datetime64[D] dates).

Examples
--------
>>> import numpy as np, cybercover
>>> engine = cybercover.Engine()
>>> result = engine.quote_arrays(
...     quote_date="2026-12-15", answers=np.full((2, 98), 1, np.uint8),
...     industry=["manufacturing", "retail"], employees=[40, 30],
...     capital_yen=[50_000_000, 10_000_000], revenue_yen=[400_000_000, 80_000_000],
...     endpoints=[48, 12], utm="managed", edr_status="none", legacy_os_endpoints=0,
...     incidents_3y=0, bundle_plan="utm", top_up={"liability": [100_000_000, 0]})
>>> result
PortfolioResult(rows=2, editions=['2026-12'], errors=0)
>>> result.to_frame()["annual_premium_yen"].tolist()  # doctest: +SKIP
[20350, <NA>]
"""

from __future__ import annotations

import numbers
from html import escape
from typing import Any, Dict, List, Mapping, NamedTuple, Optional, Sequence, Tuple

import numpy as np

from . import _core
from ._core import Engine

__all__ = ["PortfolioResult", "RowError", "item_ids", "request_contract"]

_CODES: Dict[str, List[Any]] = _core._portfolio_codes()
#: Spellings of the answer codes 0-5 (0 = unanswered: no spelling, give "" or a missing value).
ANSWER_CODES: Tuple[str, ...] = tuple(_CODES["answers"])
#: Spellings of the codes of each enum column, in code order.
ENUM_CODES: Dict[str, Tuple[str, ...]] = {
    name: tuple(_CODES[name]) for name in ("security_action", "utm", "edr_status", "bundle_plan")
}
OUTCOMES: Tuple[str, ...] = tuple(_CODES["outcome"])
DECISION_CODES: Tuple[str, ...] = tuple(_CODES["decision_codes"])
SUBSIDY_CODES: Tuple[Optional[str], ...] = tuple(_CODES["subsidy_code"])
#: The renewal cap's reason codes (0 = not a renewal).
RENEWAL_CODES: Tuple[Optional[str], ...] = tuple(_CODES["renewal_code"])


def request_contract() -> List[Dict[str, Any]]:
    """Return the request contract: every field, in contract order.

    Returns
    -------
    list of dict
        Each with ``field`` (the JSON path, ``{item}``/``{section}`` standing for the key),
        ``column`` (the CSV and DataFrame column), ``type``, ``required``, ``when_absent``,
        ``min``/``max`` (bounds), ``spellings`` and ``description``, as docs/request_contract.md
        lists them.
    """
    return _core._request_contract()


def item_ids(engine: Engine, quote_date: Any = None, *, edition: Optional[str] = None) -> List[str]:
    """Return the questionnaire's item ids, in the order of an unlabelled answers matrix.

    Parameters
    ----------
    engine : Engine
    quote_date : str, datetime.date or numpy.datetime64, optional
        Picks the edition in force that day.
    edition : str, optional
        Keyword-only. The edition's id instead (as-if pricing prices under it whatever the
        date); an id the engine does not have raises NoEditionError (no_edition.unknown_edition).
    """
    if edition is not None:
        layouts = _core._portfolio_editions(engine)
        for layout in layouts:
            if layout["edition"] == edition:
                return [item["id"] for item in layout["items"]]
        known = ", ".join(layout["edition"] for layout in layouts)
        raise _core.NoEditionError(f'[cybercover.no_edition.unknown_edition] edition: no edition with this id is loaded '
                                   f'(editions: {known}), got "{edition}"')
    if quote_date is None:
        raise TypeError("item_ids() needs a quote_date or an edition=")
    day = int(np.datetime64(quote_date, "D").astype(np.int64))
    for layout in _core._portfolio_editions(engine):
        if layout["from_day"] <= day and (layout["to_day"] is None or day <= layout["to_day"]):
            return [item["id"] for item in layout["items"]]
    raise _core.NoEditionError(f"[cybercover.no_edition.not_in_force] quote_date: no table edition is in force on {quote_date}")


# ---- taking pandas objects apart --------------------------------------------------------------
def _pandas() -> Any:
    try:
        import pandas
    except ImportError:  # pragma: no cover - pandas is optional for numpy-only use
        return None
    return pandas


def _require_pandas() -> Any:
    pd = _pandas()
    if pd is None:  # pragma: no cover
        raise ImportError("this needs pandas (Debian: apt install python3-pandas)")
    return pd


def _is_scalar(value: Any) -> bool:
    return np.ndim(value) == 0 and not isinstance(value, (list, tuple, dict))


def _payload(value: Any) -> Tuple[Any, ...]:
    """A column as the C++ door takes it: a scalar, a Categorical's codes and categories, or
    a 1-D numpy array with a mask of missing values (pandas nullable columns)."""
    pd = _pandas()
    if pd is not None:
        if isinstance(value, (pd.Series, pd.Index)):
            if isinstance(value.dtype, np.dtype):  # numpy-backed: its own buffer, no copy
                arr = value.to_numpy(copy=False)
                return ("array", arr.astype(object) if arr.dtype.kind in "US" else arr, None)
            value = value.array
        if isinstance(value, pd.Categorical):
            return ("categorical", np.asarray(value.codes), list(value.categories))
        if isinstance(value, pd.api.extensions.ExtensionArray):
            if isinstance(value, (pd.arrays.IntegerArray, pd.arrays.FloatingArray, pd.arrays.BooleanArray)):
                return ("array", value._data, np.asarray(value._mask))
            if isinstance(value, pd.arrays.DatetimeArray) and value.tz is None:
                return ("array", value.to_numpy(), None)
            return ("array", value.to_numpy(dtype=object, na_value=None), None)
    if _is_scalar(value):
        return ("scalar", value.item() if isinstance(value, np.generic) and not isinstance(value, np.datetime64) else value)
    arr = np.asarray(value)
    if arr.dtype.kind in "US":
        arr = arr.astype(object)
    return ("array", arr, None)


def _threads(threads: Any) -> int:
    if threads is None:
        return 0
    if isinstance(threads, bool) or not isinstance(threads, numbers.Integral):
        raise TypeError(f"threads must be an int or None, got {threads!r}")
    if threads < 1:
        raise ValueError(f"threads must be >= 1 (None: all cores), got {threads}")
    return int(threads)


def _collect(errors: Any) -> bool:
    if errors not in ("raise", "collect"):
        raise ValueError(f'errors must be "raise" or "collect", got {errors!r}')
    return errors == "collect"


def _day_column(value: Any) -> Optional[np.ndarray]:
    """The quote dates as day numbers, to pick the edition whose item ids name the columns."""
    try:
        kind, payload = _payload(value)[:2]
        if kind == "array" and payload.dtype.kind == "M":
            return payload.astype("datetime64[D]").astype(np.int64)
        if kind == "array":
            pd = _require_pandas()
            return pd.to_datetime(pd.Series(payload), errors="coerce").to_numpy().astype("datetime64[D]").astype(np.int64)
    except Exception:  # the door reports the bad dates row by row
        return None
    return None


# ---- the result ------------------------------------------------------------------------------
class RowError(NamedTuple):
    """A row that failed, and why.

    Attributes
    ----------
    index : int
        Position of the row in the input (0-based), for ``df.iloc``.
    row : int
        The 1-based data row, as messages and the CLI count them.
    id : str or None
        The row's ``id`` value, when the input has an ``id`` column (``ids=``).
    column : str or None
        The column holding the bad value.
    code : str
        The stable error code, e.g. ``"input.below_minimum"`` (docs/errors.md).
    field : str
        The request field (JSON path), e.g. ``"company.employees"``.
    value : str
        The offending value as quoted in the message ("" when none is shown).
    message : str
        The full message, location included.
    """

    index: int
    row: int
    id: Optional[str]
    column: Optional[str]
    code: str
    field: str
    value: str
    message: str


class PortfolioResult:
    """The priced portfolio: one entry per row in every output array.

    Returned by :meth:`Engine.quote_arrays`. The arrays are read-only numpy views of the C++
    result (no copy); :meth:`to_frame` gives a pandas DataFrame with labels and nullable
    columns. Picklable.

    Attributes
    ----------
    editions : list of (str, str)
        ``(edition, sha256)`` of every edition that priced a row, in ``effective_from`` order.
    edition_codes : numpy.ndarray of int8
        Per row, the index into :attr:`editions`; -1 for a failing row.
    errors : list of RowError
        One per failing row (``errors="collect"``), in row order.
    ok : numpy.ndarray of bool
        True where the row was priced. The figures of a failing row are 0.
    score, unknown_count, posture_index : numpy.ndarray of int
    tier_codes : numpy.ndarray of int8
        Index into :attr:`tier_names`; -1 for a failing row.
    outcome_codes : numpy.ndarray of int8
        Index into :attr:`OUTCOMES` (``accept``, ``refer``, ``decline``); -1 for a failing row.
    decision_code_bits : numpy.ndarray of uint8
        Bit i set when :attr:`DECISION_CODES` [i] fired.
    is_sme, has_base_cover, has_top_up : numpy.ndarray of bool
    base_monthly_premium_yen, base_annual_premium_yen : numpy.ndarray of int64
        0 where there is no base cover.
    section_premium_yen : dict of str to numpy.ndarray of int64
        By top-up section (the ``top_up`` keys); 0 where not selected.
    package_yen, annual_premium_yen, subsidy_yen, payable_annual_yen, monthly_instalment_yen : numpy.ndarray of int64
        0 where there is no top-up.
    subsidy_codes : numpy.ndarray of uint8
        Index into :attr:`SUBSIDY_CODES` (0 = none).
    tier_names : list of str
    section_keys : list of str
    """

    OUTCOMES: Tuple[str, ...] = OUTCOMES
    DECISION_CODES: Tuple[str, ...] = DECISION_CODES
    SUBSIDY_CODES: Tuple[Optional[str], ...] = SUBSIDY_CODES
    RENEWAL_CODES: Tuple[Optional[str], ...] = RENEWAL_CODES

    def __init__(self, raw: Mapping[str, Any]) -> None:
        """Private: built by :meth:`Engine.quote_arrays` from the C++ result."""
        self.editions: List[Tuple[str, str]] = [(str(e), str(s)) for e, s in raw["editions"]]
        self.edition_codes: np.ndarray = raw["edition"]
        self.errors: List[RowError] = [RowError(*e) for e in raw["errors"]]
        self.ok: np.ndarray = raw["ok"].view(bool)
        self.score: np.ndarray = raw["score"]
        self.unknown_count: np.ndarray = raw["unknown_count"]
        self.posture_index: np.ndarray = raw["posture_index"]
        self.tier_codes: np.ndarray = raw["tier"]
        self.tier_names: List[str] = list(raw["tier_names"])
        self.outcome_codes: np.ndarray = raw["outcome"]
        self.decision_code_bits: np.ndarray = raw["decision_codes"]
        self.is_sme: np.ndarray = raw["is_sme"].view(bool)
        self.has_base_cover: np.ndarray = raw["has_base_cover"].view(bool)
        self.base_monthly_premium_yen: np.ndarray = raw["base_monthly_premium_yen"]
        self.base_annual_premium_yen: np.ndarray = raw["base_annual_premium_yen"]
        self.has_top_up: np.ndarray = raw["has_top_up"].view(bool)
        self.section_keys: List[str] = list(raw["section_keys"])
        self.section_premium_yen: Dict[str, np.ndarray] = dict(zip(self.section_keys, raw["section_premium_yen"]))
        self.package_yen: np.ndarray = raw["package_yen"]
        self.annual_premium_yen: np.ndarray = raw["annual_premium_yen"]
        self.subsidy_yen: np.ndarray = raw["subsidy_yen"]
        self.payable_annual_yen: np.ndarray = raw["payable_annual_yen"]
        self.monthly_instalment_yen: np.ndarray = raw["monthly_instalment_yen"]
        self.subsidy_codes: np.ndarray = raw["subsidy_code"]
        #: True when the input gave prior premiums (renewals): to_frame() shows the renewal cap.
        self.renewals: bool = bool(raw.get("renewals", False))
        self.uncapped_annual_premium_yen: np.ndarray = raw["uncapped_annual_premium_yen"]
        self.renewal_codes: np.ndarray = raw["renewal_code"]
        self._selected = dict(zip(self.section_keys, (s.view(bool) for s in raw["section_selected"])))
        #: Debug: the address of the answers buffer the C++ pricing read (the caller's own
        #: matrix when it was not converted).
        self._answers_address: int = int(raw["answers_address"])

    @property
    def edition(self) -> Optional[str]:
        """The edition that priced the rows, when one did (None when none or several did)."""
        return self.editions[0][0] if len(self.editions) == 1 else None

    @property
    def sha256(self) -> Optional[str]:
        """The sha256 of :attr:`edition`."""
        return self.editions[0][1] if len(self.editions) == 1 else None

    def __len__(self) -> int:
        return len(self.ok)

    def __repr__(self) -> str:
        names = [e for e, _ in self.editions]
        return f"PortfolioResult(rows={len(self)}, editions={names!r}, errors={len(self.errors)})"

    def to_frame(self, *, index: Any = None) -> Any:
        """Return the figures as a pandas DataFrame, one row per portfolio row.

        Parameters
        ----------
        index : pandas.Index or array-like, optional
            Keyword-only. The frame's index (default: 0 .. n-1).

        Returns
        -------
        pandas.DataFrame
            Columns ``ok`` (bool), ``error_code`` and ``error`` (str, None where ok; the
            message names the row, id and column), ``score``, ``unknown_count``,
            ``posture_index`` (int64; 0 where not ok), ``tier`` and ``outcome``
            (Categorical; NaN where not ok), ``decision_codes`` (the codes joined by ``"|"``,
            ``""`` when none fired, None where not ok), ``is_sme``,
            ``base_monthly_premium_yen``, ``base_annual_premium_yen`` (Int64, NA without base
            cover), ``<section>_premium_yen`` per top-up section (Int64, NA where not
            selected or without a top-up), ``package_yen``, ``annual_premium_yen``,
            ``subsidy_yen``, ``payable_annual_yen``, ``monthly_instalment_yen`` (Int64, NA
            without a top-up), ``subsidy_code`` (str, None where none), and ``edition`` and
            ``edition_sha256`` (Categorical: the edition that priced the row). When the input
            gave ``prior_annual_premium_yen`` (renewals), ``uncapped_annual_premium_yen`` (the
            annual premium before the renewal cap) and ``renewal_code`` (``RENEWAL_WITHIN_CAP``,
            ``RENEWAL_INCREASE_CAPPED``, ``RENEWAL_DECREASE_CAPPED``, ``RENEWAL_NO_CAP``; None
            for a row that is no renewal) follow ``annual_premium_yen``.
        """
        pd = _require_pandas()
        n = len(self)
        ok = self.ok

        def nullable(values: np.ndarray, present: np.ndarray) -> Any:
            return pd.arrays.IntegerArray(np.array(values, dtype=np.int64), ~np.asarray(present, dtype=bool))

        error = np.full(n, None, dtype=object)
        error_code = np.full(n, None, dtype=object)
        for e in self.errors:
            error[e.index] = e.message
            error_code[e.index] = e.code
        names = self.DECISION_CODES
        joined = np.array(
            ["|".join(names[b] for b in range(len(names)) if bits >> b & 1) for bits in range(256)], dtype=object
        )
        decisions = joined[self.decision_code_bits]
        decisions[~ok] = None
        subsidy = np.array(list(self.SUBSIDY_CODES) + [None] * (256 - len(self.SUBSIDY_CODES)), dtype=object)
        subsidy_code = subsidy[self.subsidy_codes]
        subsidy_code[~self.has_top_up] = None
        edition_codes = self.edition_codes.astype(np.int64)

        columns: Dict[str, Any] = {
            "ok": np.array(ok, dtype=bool),
            "error_code": error_code,
            "error": error,
            "score": self.score.astype(np.int64),
            "unknown_count": self.unknown_count.astype(np.int64),
            "posture_index": self.posture_index.astype(np.int64),
            "tier": pd.Categorical.from_codes(self.tier_codes.astype(np.int64), categories=self.tier_names),
            "outcome": pd.Categorical.from_codes(self.outcome_codes.astype(np.int64), categories=list(self.OUTCOMES)),
            "decision_codes": decisions,
            "is_sme": np.array(self.is_sme, dtype=bool),
            "base_monthly_premium_yen": nullable(self.base_monthly_premium_yen, self.has_base_cover),
            "base_annual_premium_yen": nullable(self.base_annual_premium_yen, self.has_base_cover),
        }
        for section in self.section_keys:
            selected = self.has_top_up & self._selected[section]
            columns[f"{section}_premium_yen"] = nullable(self.section_premium_yen[section], selected)
        for name in ("package_yen", "annual_premium_yen", "subsidy_yen", "payable_annual_yen", "monthly_instalment_yen"):
            columns[name] = nullable(getattr(self, name), self.has_top_up)
            if name == "annual_premium_yen" and self.renewals:
                columns["uncapped_annual_premium_yen"] = nullable(self.uncapped_annual_premium_yen, self.has_top_up)
                renewal = np.array(list(self.RENEWAL_CODES) + [None] * (256 - len(self.RENEWAL_CODES)), dtype=object)
                columns["renewal_code"] = renewal[self.renewal_codes]
        columns["subsidy_code"] = subsidy_code
        columns["edition"] = pd.Categorical.from_codes(edition_codes, categories=[e for e, _ in self.editions])
        columns["edition_sha256"] = pd.Categorical.from_codes(edition_codes, categories=[s for _, s in self.editions])
        # copy=False: every column above is already a fresh array owned by this frame.
        frame = pd.DataFrame(columns, index=index if index is not None else pd.RangeIndex(n), copy=False)
        frame.attrs["editions"] = [{"edition": e, "sha256": s} for e, s in self.editions]
        return frame

    def error_frame(self) -> Any:
        """Return the errors as a DataFrame: one row per failing row (the RowError fields)."""
        pd = _require_pandas()
        return pd.DataFrame(self.errors, columns=list(RowError._fields))

    def _summary(self) -> Dict[str, Any]:
        ok = self.ok
        tiers = np.bincount(self.tier_codes[ok].astype(np.int64), minlength=len(self.tier_names))
        outcomes = np.bincount(self.outcome_codes[ok].astype(np.int64), minlength=len(self.OUTCOMES))

        def total(values: np.ndarray, present: np.ndarray) -> int:
            return int(values[present].sum(dtype=np.int64))

        return {
            "tiers": dict(zip(self.tier_names, (int(t) for t in tiers))),
            "outcomes": dict(zip(self.OUTCOMES, (int(o) for o in outcomes))),
            "base_annual_premium_yen": total(self.base_annual_premium_yen, self.has_base_cover),
            "annual_premium_yen": total(self.annual_premium_yen, self.has_top_up),
            "subsidy_yen": total(self.subsidy_yen, self.has_top_up),
            "payable_annual_yen": total(self.payable_annual_yen, self.has_top_up),
        }

    def _repr_html_(self) -> str:
        """Return a summary table for Jupyter: rows, counts by tier and outcome, totals."""
        from ._display import _STYLE

        s = self._summary()
        n, failed = len(self), len(self.errors)

        def table(caption: str, rows: Sequence[Tuple[str, str]]) -> str:
            body = "".join(f"<tr><th>{escape(k)}</th><td class=\"num\">{v}</td></tr>" for k, v in rows)
            return f"<table><caption>{escape(caption)}</caption>{body}</table>"

        editions = escape(", ".join(f"{e} ({h[:12]}…)" for e, h in self.editions) or "—")
        parts = [
            table("Portfolio", [("rows", f"{n:,}"), ("priced", f"{n - failed:,}"), ("errors", f"{failed:,}"), ("editions", editions)]),
            table("By tier", [(k, f"{v:,}") for k, v in s["tiers"].items()]),
            table("By outcome", [(k, f"{v:,}") for k, v in s["outcomes"].items()]),
            table(
                "Total premiums",
                [
                    ("base cover, annual", f"¥{s['base_annual_premium_yen']:,}"),
                    ("top-up, annual", f"¥{s['annual_premium_yen']:,}"),
                    ("subsidy", f"¥{s['subsidy_yen']:,}"),
                    ("top-up, payable", f"¥{s['payable_annual_yen']:,}"),
                ],
            ),
        ]
        return f'<div class="cybercover">{_STYLE}{"".join(parts)}</div>'


# ---- Engine.quote_arrays -------------------------------------------------------------------
_LIMIT, _DEDUCTIBLE = "_limit_yen", "_deductible_yen"


def _price(
    engine: Engine,
    n: int,
    columns: Dict[str, Any],
    *,
    answers: Any,
    quote_date: Any,
    subsidy_program: Optional[str],
    ids: Any,
    threads: Optional[int],
    errors: str,
    edition: Optional[str] = None,
) -> PortfolioResult:
    collect = _collect(errors)
    if edition is not None and not isinstance(edition, str):
        raise TypeError(f"edition must be a str (an edition id) or None, got {edition!r}")
    n_threads = _threads(threads)
    if subsidy_program is not None and not isinstance(subsidy_program, str):
        raise TypeError(f"subsidy_program must be a str or None, got {subsidy_program!r}")
    payloads = [(name, _payload(value)) for name, value in columns.items() if value is not None]
    day_column = None
    if quote_date is None and "quote_date" in columns:
        day_column = _day_column(columns["quote_date"])
    if ids is not None:
        ids = np.asarray(ids, dtype=object)
        if ids.ndim != 1 or len(ids) != n:
            raise _core.InputError(f"[cybercover.input.column_shape] id: must be one value per row ({n} rows)")
    raw = _core._quote_columns(
        engine, n, payloads, answers=answers, quote_date=quote_date, subsidy_program=subsidy_program, ids=ids,
        day_column=day_column, threads=n_threads, collect=collect, edition=edition)
    return PortfolioResult(raw)


def quote_arrays(
    self: Engine,
    *,
    quote_date: Any,
    answers: Any,
    industry: Any,
    employees: Any,
    capital_yen: Any,
    revenue_yen: Any,
    endpoints: Any,
    utm: Any,
    edr_status: Any,
    legacy_os_endpoints: Any,
    incidents_3y: Any,
    bundle_plan: Any,
    security_action: Any = None,
    rubber_products: Any = None,
    edr_covered_endpoints: Any = None,
    edr_installed_on: Any = None,
    phishing_click_rate: Any = None,
    top_up: Optional[Mapping[str, Any]] = None,
    subsidy_program: Any = None,
    service_monthly_price_yen: Any = None,
    prior_annual_premium_yen: Any = None,
    ids: Any = None,
    threads: Optional[int] = None,
    errors: str = "raise",
    edition: Optional[str] = None,
) -> PortfolioResult:
    """Quote a portfolio given as columns, on all cores (docs/request_contract.md, row by row).

    Every row goes through the checks and pricing steps of :meth:`quote`, so its figures
    equal the single quote's to the yen, whatever ``threads`` is. Columns are numpy arrays,
    pandas Series or sequences of one value per row; a scalar applies to every row (a bad
    scalar is an error of the whole call). A column that already has the batch's dtype and
    is C-contiguous is used without a copy.

    Parameters
    ----------
    quote_date : str, datetime.date, numpy.datetime64 or array of dates
        One date for every row, or one per row (each row is priced with the edition in
        force on its date). Strings are ``"YYYY-MM-DD"``.
    answers : numpy.ndarray, shape (rows, items)
        Answer codes, uint8: 0 unanswered, 1 yes, 2 partial, 3 no, 4 unknown, 5 na, in the
        questionnaire's item order (:func:`cybercover.item_ids`). A C-contiguous uint8 matrix
        is read in place. Give labelled answers through :meth:`quote_frame` instead.
    industry : array of str or pandas.Categorical
        Industry keys; a key the edition does not know fails that row like a single quote.
    employees, capital_yen, revenue_yen, endpoints, legacy_os_endpoints, incidents_3y : array of int
        Integral floats (80.0) are integers; a fraction fails the row.
    utm, edr_status, bundle_plan, security_action : array of str or uint8 codes
        The spellings of docs/request_contract.md (codes: their position in that list).
    rubber_products : array of bool, optional
        Default false.
    edr_covered_endpoints : array of int, optional
        Needed for rows with an EDR.
    edr_installed_on : array of dates, optional
        NaT / None = not given (required for a managed EDR).
    phishing_click_rate : array of float, optional
        NaN = not measured.
    top_up : dict, optional
        Section -> limit column, or section -> ``(limits, deductibles)``. Limit 0 (or
        missing) = section not selected; a missing deductible = the section's default.
    subsidy_program : str or array of str, optional
        One programme for every row, or one per row (None = none).
    service_monthly_price_yen : array of int, optional
        Missing = not given.
    prior_annual_premium_yen : array of int, optional
        Renewals: the top-up's annual premium of the prior year (missing = not a renewal).
        An edition with a renewal cap keeps the new annual premium within its maximum
        increase and decrease of it; the result then has the renewal columns.
    ids : array-like, optional
        Each row's id, named in its error's location.
    threads : int, optional
        Worker threads; None (default) = all cores. The result does not depend on it.
    errors : {"raise", "collect"}
        ``"raise"`` (default): raise the first failing row's error (its message ends with
        its row). ``"collect"``: failing rows get ``ok`` False and a :class:`RowError`.
    edition : str, optional
        As-if pricing: every row under the edition with this id, whatever its quote date.
        Everything dated (the EDR learning period, the subsidy's dates) still uses the rows'
        own quote dates; an unlabelled answers matrix is in that edition's item order
        (``item_ids(engine, edition=...)``). An unknown id raises NoEditionError
        (``no_edition.unknown_edition``).

    Returns
    -------
    PortfolioResult

    Raises
    ------
    InputError
        With ``errors="raise"``, the first failing row's error; always, a problem of the
        whole call (a bad scalar, a column of the wrong length, an unknown subsidy
        programme or section).
    NoEditionError
        With ``errors="raise"``: a row's quote date is in no edition.
    TypeError
        An unknown keyword, or a ``top_up`` that is not a dict.
    """
    columns: Dict[str, Any] = {
        "industry": industry,
        "employees": employees,
        "capital_yen": capital_yen,
        "revenue_yen": revenue_yen,
        "endpoints": endpoints,
        "rubber_products": rubber_products,
        "security_action": security_action,
        "utm": utm,
        "edr_status": edr_status,
        "edr_covered_endpoints": edr_covered_endpoints,
        "edr_installed_on": edr_installed_on,
        "legacy_os_endpoints": legacy_os_endpoints,
        "phishing_click_rate": phishing_click_rate,
        "incidents_3y": incidents_3y,
        "bundle_plan": bundle_plan,
        "service_monthly_price_yen": service_monthly_price_yen,
        "prior_annual_premium_yen": prior_annual_premium_yen,
    }
    if top_up is not None:
        if not isinstance(top_up, Mapping):
            raise TypeError("top_up must be a dict: section -> limit column, or section -> (limits, deductibles)")
        for section, spec in top_up.items():
            if not isinstance(section, str):
                raise TypeError(f"top_up keys must be section names (str), got {section!r}")
            if isinstance(spec, tuple):
                if len(spec) != 2:
                    raise TypeError(f"top_up[{section!r}] must be a limit column or a (limits, deductibles) pair")
                columns[section + _LIMIT], columns[section + _DEDUCTIBLE] = spec
            else:
                columns[section + _LIMIT] = spec
    scalar_date = quote_date if _is_scalar(quote_date) else None
    if scalar_date is None:
        columns["quote_date"] = quote_date
    scalar_subsidy = subsidy_program if subsidy_program is None or isinstance(subsidy_program, str) else None
    if scalar_subsidy is None and subsidy_program is not None:
        columns["subsidy_program"] = subsidy_program
    matrix = answers
    if _pandas() is not None and isinstance(answers, _pandas().DataFrame):
        raise TypeError("answers must be a matrix here; give an answers DataFrame to quote_frame(answers=...)")
    n = int(np.shape(matrix)[0]) if np.ndim(matrix) == 2 else -1
    if n < 0:
        raise _core.InputError(f"[cybercover.input.column_shape] answers: must be a 2-D matrix (rows x items), got shape {np.shape(matrix)}")
    return _price(self, n, columns, answers=_answer_matrix(matrix), quote_date=scalar_date, subsidy_program=scalar_subsidy,
                  ids=ids, threads=threads, errors=errors, edition=edition)


def _answer_matrix(matrix: Any) -> np.ndarray:
    """The answers as uint8 codes: a uint8 matrix as it is; labels and other numbers converted."""
    arr = np.asarray(matrix)
    if arr.dtype == np.uint8:
        return np.ascontiguousarray(arr)
    if arr.dtype.kind in "OUS":
        lookup = {"": 0, None: 0, **{label: code for code, label in enumerate(ANSWER_CODES) if code}}
        flat = arr.ravel()
        out = np.zeros(flat.shape, np.uint8)
        for k, value in enumerate(flat):
            if isinstance(value, float) and value != value:
                continue
            code = lookup.get(value if not isinstance(value, np.str_) else str(value))
            if code is None:
                r, c = divmod(k, arr.shape[1])
                raise _core.InputError(
                    f'[cybercover.input.unknown_value] answers: must be one of "yes", "partial", "no", "unknown", "na", '
                    f"got {value!r} (row {r + 1}, column {c + 1})")
            out[k] = code
        return out.reshape(arr.shape)
    if arr.dtype.kind in "iuf":
        values = np.where(np.isnan(arr), 0, arr) if arr.dtype.kind == "f" else arr
        bad = (values < 0) | (values > 255) | (values != np.trunc(values))
        if bad.any():
            r, c = divmod(int(np.flatnonzero(bad.ravel())[0]), arr.shape[1])
            raise _core.InputError(
                f"[cybercover.input.unknown_value] answers: must be answer codes 0-5, got {arr[r, c]!r} (row {r + 1}, column {c + 1})")
        return np.ascontiguousarray(values, dtype=np.uint8)
    raise _core.InputError(f"[cybercover.input.column_type] answers: must be answer codes or labels, got dtype {arr.dtype}")


# ---- Engine.quote_frame --------------------------------------------------------------------
def quote_frame(
    self: Engine,
    df: Any,
    *,
    answers: Any = None,
    quote_date: Any = None,
    subsidy_program: Optional[str] = None,
    keep: Optional[Sequence[str]] = None,
    threads: Optional[int] = None,
    errors: str = "raise",
    edition: Optional[str] = None,
) -> Any:
    """Quote a portfolio given as a pandas DataFrame, one company per row.

    Columns are the CSV's of ``cybercover price`` (docs/request_contract.md): ``quote_date``
    (or the argument), ``industry``, ``employees``, ``capital_yen``, ``revenue_yen``,
    ``endpoints``, ``rubber_products``, ``security_action``, ``utm``, ``edr_status``,
    ``edr_covered_endpoints``, ``edr_installed_on``, ``legacy_os_endpoints``,
    ``phishing_click_rate``, ``incidents_3y``, ``bundle_plan``, ``subsidy_program``,
    ``service_monthly_price_yen``, ``<section>_limit_yen`` and ``<section>_deductible_yen``,
    one column per item id (unless ``answers`` is given) and an optional ``id``. Empty cells
    (NaN, None, NaT) mean "not given". Labels may be str or Categorical columns.

    Parameters
    ----------
    df : pandas.DataFrame
    answers : pandas.DataFrame or numpy.ndarray, optional
        Keyword-only. The answers instead of item columns in ``df``: a DataFrame whose columns
        are item ids is matched by its labels (any order, missing items unanswered); an
        unlabelled matrix must be in the edition's item order (:func:`cybercover.item_ids`).
    quote_date : str, datetime.date or numpy.datetime64, optional
        Keyword-only. The quote date of rows without a ``quote_date`` (or of every row when
        ``df`` has no such column).
    subsidy_program : str, optional
        Keyword-only. The subsidy programme of rows without a ``subsidy_program``.
    keep : sequence of str, optional
        Keyword-only. Columns of ``df`` to copy to the front of the result (``id`` is always
        kept), so the result needs no join.
    threads : int, optional
        Keyword-only. Worker threads; None (default) = all cores.
    errors : {"raise", "collect"}
        Keyword-only. As in :meth:`quote_arrays`; with ``"collect"`` the ``error_code`` and
        ``error`` columns name each failing row's problem.
    edition : str, optional
        Keyword-only. As-if pricing under the edition with this id, whatever the quote dates
        (see :meth:`quote_arrays`); the item columns are that edition's.

    Returns
    -------
    pandas.DataFrame
        :meth:`PortfolioResult.to_frame` with ``df``'s index, after ``id`` and the ``keep``
        columns.

    Raises
    ------
    InputError
        An unknown column or a missing required one (named), a value that cannot be read
        (``errors="raise"``), or a failing row (``errors="raise"``).
    TypeError
        ``df`` is not a DataFrame, or an unknown keyword.
    """
    pd = _require_pandas()
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"df must be a pandas.DataFrame, got {type(df).__qualname__}")
    keep = list(keep or [])
    for name in keep:
        if name not in df.columns:
            raise _core.InputError(f"[cybercover.input.missing_column] {name}: keep= names a column the frame does not have")
    columns: Dict[str, Any] = {}
    for name in df.columns:
        if not isinstance(name, str):
            raise _core.InputError(f"[cybercover.input.unknown_column] {name!r}: unknown column (column names are str)")
        if name == "id" or name in keep and name not in _contract_columns():
            continue
        columns[name] = df[name]
    if len(set(df.columns)) != len(df.columns):
        dup = next(c for c in df.columns if list(df.columns).count(c) > 1)
        raise _core.InputError(f"[cybercover.input.duplicate_column] {dup}: column given twice (column \"{dup}\")")
    matrix = None
    if answers is not None:
        if isinstance(answers, pd.DataFrame):
            if len(answers) != len(df):
                raise _core.InputError(f"[cybercover.input.column_shape] answers: has {len(answers)} rows but the frame has {len(df)}")
            if all(isinstance(c, str) for c in answers.columns):
                for name in answers.columns:  # item ids: matched by label, in any order
                    if name in columns:
                        raise _core.InputError(f"[cybercover.input.duplicate_column] {name}: given both in df and in answers")
                    columns[name] = answers[name]
            else:
                matrix = _answer_matrix(answers.to_numpy())
        else:
            matrix = _answer_matrix(answers)
    ids = df["id"].to_numpy(dtype=object) if "id" in df.columns else None  # read for failing rows only
    scalar_date = quote_date
    if quote_date is not None and "quote_date" in columns:
        scalar_date = quote_date  # the default of rows whose quote_date is missing
    result = _price(self, len(df), columns, answers=matrix, quote_date=scalar_date, subsidy_program=subsidy_program,
                    ids=ids, threads=threads, errors=errors, edition=edition)
    priced = result.to_frame(index=df.index)
    for position, name in enumerate([c for c in ["id", *keep] if c in df.columns]):
        if name not in priced.columns:
            priced.insert(position, name, df[name].to_numpy())
    return priced


def _contract_columns() -> set:
    return {f["column"] for f in request_contract()}


quote_arrays.__qualname__ = "Engine.quote_arrays"
quote_frame.__qualname__ = "Engine.quote_frame"
quote_arrays.__module__ = quote_frame.__module__ = "cybercover"
Engine.quote_arrays = quote_arrays  # type: ignore[attr-defined]
Engine.quote_frame = quote_frame  # type: ignore[attr-defined]
