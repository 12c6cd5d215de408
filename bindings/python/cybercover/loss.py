"""The loss model for actuaries: expected losses, exact aggregate distributions, simulation.

The loss model of the default product (docs/loss_model.md): incidents per company and year
(Poisson or negative binomial), a ground-up cost per incident (lognormal, Pareto or a spliced
lognormal/Pareto), claims per section with the section's probability and scale, per-claim
limits and deductibles, annual aggregates; and systemic events at the managed-service providers
that hit many subscribers at once. Every parameter lives in the edition's ``loss_model.json``.

* :func:`expected_losses` — the closed forms for one quote, or vectorised over a whole
  portfolio frame (the columns :meth:`cybercover.Engine.quote_frame` takes), each layer's
  expected loss and indicated premium beside what the quote charges.
* :class:`Book` — a priced portfolio for the model: closed forms per company and layer,
  exact aggregate distributions (:class:`AggregateDistribution`, as R actuar computes them),
  and :meth:`Book.simulate`.
* :func:`simulate` — a Monte Carlo of the book over many years (:class:`SimulationResult`:
  numpy arrays, a summary DataFrame, AEP/OEP curves, loss ratios by tier and plan, plots).
  The same seed gives bit-identical results for any thread count and any split of the
  companies: :func:`merge` the parts' results (a Dask example: examples/dask_simulation.py).

Figures are model estimates in yen (floats); premiums are the quotes' own, exact.

Examples
--------
>>> import cybercover, cybercover.loss as loss
>>> from cybercover.synthetic import generate_portfolio
>>> engine = cybercover.Engine()
>>> p = generate_portfolio(1000, seed=1)
>>> book = loss.Book.from_frame(engine, p.frame, answers=p.answers)
>>> result = book.simulate(10_000, seed=7)
>>> result.summary().loc[("total", True), ["mean", "var_99_5", "tvar_99_5"]]  # doctest: +SKIP
"""

from __future__ import annotations

import numbers
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import _core
from ._core import Engine, InputError

__all__ = [
    "AggregateDistribution",
    "aggregate_distribution",
    "Book",
    "QuoteLosses",
    "SimulationResult",
    "expected_losses",
    "merge",
    "simulate",
]

PLANS: Tuple[str, ...] = ("none", "utm", "edr", "utm_edr")
_LIMIT, _DEDUCTIBLE, _PREMIUM = "_limit_yen", "_deductible_yen", "_premium_yen"


def _pandas() -> Any:
    try:
        import pandas
    except ImportError as e:  # pragma: no cover
        raise ImportError("cybercover.loss needs pandas (Debian: apt install python3-pandas)") from e
    return pandas


def _input_error(field: str, detail: str) -> InputError:
    error = InputError(f"[cybercover.input.bad_option] {field}: {detail}")
    error.kind = "input"
    error.code = "input.bad_option"
    error.field = field
    error.detail = detail
    error.value = ""
    error.row = error.id = error.column = None
    return error


def _threads(threads: Optional[int]) -> int:
    if threads is None:
        return 0
    if isinstance(threads, bool) or not isinstance(threads, numbers.Integral) or threads < 0:
        raise _input_error("threads", f"must be a whole number >= 0 or None, got {threads!r}")
    return int(threads)


def _positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise _input_error(name, f"must be a whole number, got {value!r}")
    if value < 1:
        error = _input_error(name, f"must be at least 1, got {value}")
        error.code = "input.below_minimum"
        raise error
    return int(value)


# ---- one quote -----------------------------------------------------------------------------
class QuoteLosses:
    """Expected losses of one quoted company beside what its quote charges.

    Attributes
    ----------
    tier : str
    incident_frequency : float
        Expected incidents a year (lambda).
    layers : pandas.DataFrame
        One row per layer (``base_cover``, then the selected sections): ``claim_frequency``,
        ``attachment_yen``, ``limit_yen``, ``expected_loss_yen`` (independent incidents,
        per-claim limits only), ``indicated_premium_yen`` (expected loss / target loss
        ratio), ``systemic_expected_loss_yen``, ``indicated_with_systemic_yen``,
        ``section_premium_yen`` (the base cover's annual premium, or the section premium
        before the multi-section factor) and ``charged_premium_yen`` (what the quote charges
        for the layer: the base cover's annual premium, or the section's share of the top-up's
        annual premium after the multi-section factor and the minimum).
    charged : dict
        The quote's own figures: ``base_cover_annual_yen``, ``sections_total_yen``,
        ``multi_section_factor``, ``package_yen``, ``minimum_applied``, ``top_up_annual_yen``.
    top_up_expected_loss_yen, top_up_indicated_premium_yen, top_up_systemic_expected_loss_yen : float
    edition, sha256 : str
    """

    def __init__(self, raw: Dict[str, Any]) -> None:
        pd = _pandas()
        self._raw = raw
        self.tier: str = raw["tier"]
        self.incident_frequency: float = raw["incident_frequency"]
        self.charged: Dict[str, Any] = dict(raw["charged"])
        self.top_up_expected_loss_yen: float = raw["top_up_expected_loss_yen"]
        self.top_up_indicated_premium_yen: float = raw["top_up_indicated_premium_yen"]
        self.top_up_systemic_expected_loss_yen: float = raw["top_up_systemic_expected_loss_yen"]
        self.edition: str = raw["edition"]
        self.sha256: str = raw["sha256"]
        self.layers = pd.DataFrame(raw["layers"]).set_index("layer") if raw["layers"] else pd.DataFrame()

    def to_dict(self) -> Dict[str, Any]:
        """Return the figures as plain Python data (the JSON of ``cybercover loss --json``)."""
        return {k: (list(v) if k == "layers" else v) for k, v in self._raw.items()}

    def __repr__(self) -> str:
        return (f"QuoteLosses(tier={self.tier!r}, layers={list(self.layers.index)}, "
                f"top_up_charged={self.charged['top_up_annual_yen']})")

    def _repr_html_(self) -> str:
        return self.layers._repr_html_()


def expected_losses(engine: Engine, request: Any, **options: Any) -> Any:
    """Expected losses in closed form, beside the premiums charged.

    Parameters
    ----------
    engine : cybercover.Engine
    request : dict, cybercover.QuoteRequest or pandas.DataFrame
        One request (the JSON contract): its :class:`QuoteLosses`. Or a portfolio frame in
        the layout :meth:`Engine.quote_frame` takes (plus an optional ``provider`` column):
        the same as ``Book.from_frame(engine, request, **options).expected_losses()``.
    **options
        Keyword-only options of :meth:`Book.from_frame` (frames only).

    Returns
    -------
    QuoteLosses or pandas.DataFrame

    Raises
    ------
    InputError
        The request breaks the contract (named field), or a frame's column does.

    Examples
    --------
    >>> loss.expected_losses(engine, request).layers["indicated_premium_yen"]  # doctest: +SKIP
    """
    pd = _pandas()
    if isinstance(request, pd.DataFrame):
        return Book.from_frame(engine, request, **options).expected_losses()
    if options:
        raise TypeError(f"options {sorted(options)} apply to portfolio frames only")
    return QuoteLosses(_core._quote_losses(engine, request))


# ---- aggregate distributions ---------------------------------------------------------------
class AggregateDistribution:
    """A distribution of annual loss on the lattice 0, h, 2h, ... (h = ``span_yen``).

    Computed like R actuar's ``aggregateDist``: the claim payment discretised
    (``"unbiased"`` keeps its mean, or ``"rounding"``), then compounded by Panjer's recursion
    or by FFT. A layer's distribution has its annual aggregate applied; a company's or a
    book's total does not (the caps are per layer: an upper bound).

    Attributes
    ----------
    span_yen : float
    pmf : numpy.ndarray
        P(S = i h).
    truncated_mass : float
        Probability left beyond the grid (0 when the grid covers the support).
    method : str
        How it was computed, e.g. ``"unbiased, panjer, span 1500"``.
    """

    def __init__(self, span_yen: float, pmf: np.ndarray, truncated_mass: float = 0.0, method: str = "") -> None:
        self.span_yen = float(span_yen)
        self.pmf = np.asarray(pmf, dtype=float)
        self.truncated_mass = float(truncated_mass)
        self.method = method

    @classmethod
    def _from(cls, raw: Dict[str, Any]) -> "AggregateDistribution":
        return cls(raw["span_yen"], raw["pmf"], raw["truncated_mass"], raw["method"])

    @property
    def x(self) -> np.ndarray:
        """The lattice points in yen."""
        return self.span_yen * np.arange(len(self.pmf))

    @property
    def cdf(self) -> np.ndarray:
        """P(S <= x) at each lattice point."""
        return np.cumsum(self.pmf)

    def mean(self) -> float:
        return float(np.dot(self.x, self.pmf))

    def variance(self) -> float:
        m = self.mean()
        return float(np.dot((self.x - m) ** 2, self.pmf))

    def sd(self) -> float:
        return float(np.sqrt(self.variance()))

    def value_at_risk(self, level: float) -> float:
        """The smallest lattice point x with P(S <= x) >= level."""
        if not 0 < level < 1:
            raise _input_error("level", f"must be in (0, 1), got {level!r}")
        i = int(np.searchsorted(self.cdf, level - 1e-13))
        if i >= len(self.pmf):
            raise _input_error("level", f"is beyond the grid's mass (truncated {self.truncated_mass:g})")
        return float(self.x[i])

    def tail_value_at_risk(self, level: float) -> float:
        """TVaR: VaR + E[(S - VaR)+] / (1 - level), the mean of the worst (1 - level) of years."""
        var = self.value_at_risk(level)
        x = self.x
        return float(var + np.dot(np.maximum(x - var, 0), self.pmf) / (1 - level))

    def conditional_tail_expectation(self, level: float) -> float:
        """E[S | S > VaR] (actuar's ``CTE``)."""
        var = self.value_at_risk(level)
        above = self.x > var
        mass = self.pmf[above].sum()
        return float(np.dot(self.x[above], self.pmf[above]) / mass) if mass > 0 else var

    def exceedance(self, x: Union[float, Sequence[float]]) -> Union[float, np.ndarray]:
        """P(S > x) (the exceedance curve)."""
        xs = np.atleast_1d(np.asarray(x, dtype=float))
        index = np.searchsorted(self.x, xs * (1 + 1e-15), side="right")
        cdf = np.concatenate([[0.0], self.cdf])
        out = np.maximum(0.0, 1 - cdf[index])
        return float(out[0]) if np.ndim(x) == 0 else out

    def plot(self, *, ax: Any = None, log: bool = True) -> Any:
        """Plot the exceedance curve P(S > x) (matplotlib); returns the Axes."""
        import matplotlib.pyplot as plt

        ax = ax or plt.subplots(figsize=(6, 3.5))[1]
        ex = self.exceedance(self.x)
        keep = ex > 0
        ax.step(self.x[keep] / 1e6, ex[keep], where="post")
        if log and keep.any():
            ax.set_yscale("log")
        ax.set_xlabel("annual loss (million yen)")
        ax.set_ylabel("P(loss > x)")
        ax.set_title(self.method)
        return ax

    def __repr__(self) -> str:
        return f"AggregateDistribution(points={len(self.pmf)}, span_yen={self.span_yen:g}, mean={self.mean():.6g})"


def aggregate_distribution(
    *,
    mean: float,
    severity: Dict[str, Any],
    frequency: str = "poisson",
    size: Optional[float] = None,
    deductible_yen: float = 0,
    limit_yen: float = float("inf"),
    aggregate_limit_yen: Optional[float] = None,
    span_yen: float = 0,
    discretization: str = "unbiased",
    method: str = "auto",
    tail_probability: float = 1e-12,
    min_points: int = 2000,
) -> AggregateDistribution:
    """The annual-loss distribution of any claim count, severity and coverage.

    For what-ifs outside a book. The coverage is actuar's ``coverage()``: per claim the insurer
    pays ``min(X, limit_yen) - deductible_yen`` when X exceeds the deductible (both on the
    ground-up scale), and at most ``aggregate_limit_yen`` a year.

    Parameters
    ----------
    mean : float
        Keyword-only. Expected claims a year (>= 0).
    severity : dict
        Keyword-only. In the table's format: ``{"distribution": "lognormal", "median_yen": ...,
        "sigma": ...}``, ``{"distribution": "pareto", "alpha": ..., "scale_yen": ...}`` or
        ``{"distribution": "spliced_lognormal_pareto", "median_yen", "sigma", "threshold_yen",
        "tail_alpha"[, "body_probability"]}``.
    frequency : {"poisson", "negative_binomial"}
    size : float, optional
        The negative binomial's size r (Var = mean + mean**2 / r).
    deductible_yen, limit_yen, aggregate_limit_yen : float
        The limit must be above the deductible; give a finite limit or an aggregate limit.
    span_yen, discretization, method, tail_probability, min_points
        As in :meth:`Book.aggregate`.

    Returns
    -------
    AggregateDistribution

    Raises
    ------
    InputError
        A bad parameter, named: ``frequency.lambda`` (a negative mean), ``severity.sigma``
        (<= 0), ``limit_yen`` (at or below the deductible), ...
    """
    if not isinstance(severity, dict):
        raise TypeError(f"severity must be a dict, got {type(severity).__qualname__}")
    raw = _core._aggregate_distribution(
        frequency, float(mean), None if size is None else float(size), severity, float(deductible_yen), float(limit_yen),
        0.0 if aggregate_limit_yen is None else float(aggregate_limit_yen), float(span_yen), discretization, method,
        float(tail_probability), int(min_points))
    return AggregateDistribution._from(raw)


# ---- the book ------------------------------------------------------------------------------
def _int_column(values: Any, name: str, fill: int) -> np.ndarray:
    pd = _pandas()
    numeric = pd.to_numeric(pd.Series(values), errors="coerce")
    if numeric.isna().all() and len(numeric):
        numeric = numeric.fillna(fill)
    return numeric.fillna(fill).to_numpy(dtype=np.int64)


def _codes(values: Any) -> Tuple[np.ndarray, List[str]]:
    """Factorize labels (missing -> -1)."""
    pd = _pandas()
    codes, uniques = pd.factorize(pd.Series(values).astype(object).where(pd.notna(values), None))
    return np.asarray(codes, dtype=np.int64), [str(u) for u in uniques]


def _plan_codes(values: Any) -> np.ndarray:
    pd = _pandas()
    s = pd.Series(values)
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        return s.fillna(-1).to_numpy(dtype=np.int64)
    lookup = {p: i for i, p in enumerate(PLANS)}
    return np.array([lookup.get(str(v), -1) for v in s.astype(object)], dtype=np.int64)


def _dates(values: Any) -> List[str]:
    pd = _pandas()
    days = pd.to_datetime(pd.Series(values), errors="coerce").dropna().to_numpy().astype("datetime64[D]")
    return [str(d) for d in np.unique(days)]


class Book:
    """A priced portfolio for the loss model: one company per priced row.

    Build it with :meth:`from_frame`. It keeps each company's exposure (employees, tier,
    industry, revenue band, plan, selected sections), its provider, the key of its random
    streams and what its quote charges. Picklable (for Dask workers).

    Attributes
    ----------
    edition, sha256 : str
        The edition that priced every row.
    layers : list of str
        ``"base_cover"`` then the edition's sections.
    providers : list of str
        The managed-service providers named (``""``: subscribers with none given).
    errors : list of (int, str)
        Rows that could not be priced (``errors="collect"``): left out of the book.
    """

    def __init__(self, core: Any, state: Dict[str, Any], errors: List[Tuple[int, str]]) -> None:
        """Private: use :meth:`from_frame`."""
        self._core = core
        self._state = state
        self.errors: List[Tuple[int, str]] = errors

    # -- construction ------------------------------------------------------------------------
    @classmethod
    def from_frame(
        cls,
        engine: Engine,
        df: Any,
        *,
        provider: Any = None,
        keys: Any = None,
        answers: Any = None,
        quote_date: Any = None,
        subsidy_program: Optional[str] = None,
        edition: Optional[str] = None,
        threads: Optional[int] = None,
        errors: str = "raise",
    ) -> "Book":
        """Price a portfolio frame with :meth:`Engine.quote_frame` and build its loss book.

        Parameters
        ----------
        engine : cybercover.Engine
        df : pandas.DataFrame
            The columns :meth:`Engine.quote_frame` takes (the CSV layout of ``cybercover
            price``), plus optionally ``provider``.
        provider : str or array-like, optional
            Keyword-only. The managed UTM/EDR provider of each company (systemic events of
            scope "provider" hit a share of one provider's subscribers): a column name, or
            one value per row. Default: the ``provider`` column if there is one, else every
            subscriber shares one unnamed provider.
        keys : array-like of int, optional
            Keyword-only. Each company's random-stream key: its row number in the whole
            book (>= 0, unique). Default: the frame's index, which must be integers (a
            slice of a frame with a RangeIndex keeps the rows' positions, so parts of a
            book simulate exactly like the whole).
        answers, quote_date, subsidy_program, edition, threads, errors
            Keyword-only; passed to :meth:`Engine.quote_frame`. With ``errors="collect"``
            rows that fail are left out of the book and listed in :attr:`errors`. With
            ``edition`` (as-if pricing) every row is priced, and modelled, under that edition
            whatever its date.

        Returns
        -------
        Book

        Raises
        ------
        InputError
            A column is wrong (see :meth:`Engine.quote_frame`), keys are not unique
            non-negative integers, or the rows span two editions.
        """
        pd = _pandas()
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"df must be a pandas.DataFrame, got {type(df).__qualname__}")
        frame = df
        provider_values: Any = None
        if isinstance(provider, str):
            if provider not in df.columns:
                raise _input_error("provider", f"no column {provider!r} in the frame")
            provider_values = df[provider].to_numpy(dtype=object)
            frame = df.drop(columns=[provider])
        elif provider is not None:
            provider_values = np.asarray(provider, dtype=object)
            if provider_values.shape != (len(df),):
                raise _input_error("provider", f"must have one value per row ({len(df)}), got shape {provider_values.shape}")
            if "provider" in df.columns:
                frame = df.drop(columns=["provider"])
        elif "provider" in df.columns:
            provider_values = df["provider"].to_numpy(dtype=object)
            frame = df.drop(columns=["provider"])
        key_values = cls._keys(df, keys)
        priced = engine.quote_frame(frame, answers=answers, quote_date=quote_date, subsidy_program=subsidy_program,
                                    edition=edition, threads=threads, errors=errors)
        ok = priced["ok"].to_numpy(dtype=bool)
        error_list = [(int(i), str(m)) for i, (good, m) in enumerate(zip(ok, priced["error"])) if not good]
        rows = np.flatnonzero(ok)
        if "quote_date" in frame.columns:
            dates = _dates(frame["quote_date"].to_numpy()[rows])
        else:
            dates = _dates([quote_date]) if len(rows) else []
        sections = [c[: -len(_LIMIT)] for c in frame.columns if isinstance(c, str) and c.endswith(_LIMIT)]
        columns: Dict[str, np.ndarray] = {
            "key": key_values[rows],
            "employees": _int_column(frame["employees"].to_numpy()[rows], "employees", 1),
            "revenue_yen": _int_column(frame["revenue_yen"].to_numpy()[rows], "revenue_yen", 0),
            "bundle_plan": _plan_codes(frame["bundle_plan"].to_numpy()[rows]),
            "base_annual_premium_yen": _int_column(priced["base_annual_premium_yen"].to_numpy(dtype=object)[rows], "", 0),
            "annual_premium_yen": _int_column(priced["annual_premium_yen"].to_numpy(dtype=object)[rows], "", 0),
            "has_top_up": priced["annual_premium_yen"].notna().to_numpy()[rows].astype(np.uint8),
        }
        tier_codes, tier_names = _codes(priced["tier"].astype(object).to_numpy()[rows])
        columns["tier"] = tier_codes
        industry_codes, industry_names = _codes(frame["industry"].astype(object).to_numpy()[rows])
        columns["industry"] = industry_codes
        if provider_values is None:
            columns["provider"] = np.full(len(rows), -1, np.int64)
            provider_names: List[str] = []
        else:
            columns["provider"], provider_names = _codes(provider_values[rows])
        for s in sections:
            columns[s + _LIMIT] = _int_column(frame[s + _LIMIT].to_numpy(dtype=object)[rows], s + _LIMIT, 0)
            ded = frame[s + _DEDUCTIBLE].to_numpy(dtype=object)[rows] if s + _DEDUCTIBLE in frame.columns else np.full(len(rows), -1)
            columns[s + _DEDUCTIBLE] = _int_column(ded, s + _DEDUCTIBLE, -1)
            premium = priced[s + _PREMIUM].to_numpy(dtype=object)[rows] if s + _PREMIUM in priced.columns else np.zeros(len(rows))
            columns[s + _PREMIUM] = _int_column(premium, s + _PREMIUM, 0)
        state = {
            "engine": engine,
            "dates": dates,
            "columns": columns,
            "industries": industry_names,
            "tiers": tier_names,
            "providers": provider_names,
            "sections": sections,
            "edition": edition,
        }
        return cls(cls._build(state), state, error_list)

    @staticmethod
    def _keys(df: Any, keys: Any) -> np.ndarray:
        pd = _pandas()
        if keys is None:
            index = df.index
            if not pd.api.types.is_integer_dtype(index.dtype):
                raise _input_error("keys", "the frame's index is not integers: give keys= (each company's row in the whole book)")
            values = index.to_numpy()
            where = "the frame's index"
        else:
            values = np.asarray(keys)
            where = "keys"
            if values.shape != (len(df),) or not np.issubdtype(values.dtype, np.integer):
                raise _input_error("keys", f"must be {len(df)} integers, got {values.dtype} of shape {values.shape}")
        if len(values) and values.min() < 0:
            raise _input_error("keys", f"{where} must be >= 0, got {int(values.min())}")
        if len(np.unique(values)) != len(values):
            raise _input_error("keys", f"{where} must be unique (each company has its own random streams)")
        return values.astype(np.uint64)

    @staticmethod
    def _build(state: Dict[str, Any]) -> Any:
        if not state["dates"]:
            raise _input_error("quote_date", "no row could be priced: the book is empty")
        return _core._loss_book(state["engine"], state["dates"], dict(state["columns"]), state["industries"],
                                state["tiers"], state["providers"], state["sections"], state.get("edition"))

    def __reduce__(self) -> Any:
        return (_rebuild_book, (self._state, self.errors))

    # -- properties --------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._core)

    @property
    def edition(self) -> str:
        return self._core.edition

    @property
    def sha256(self) -> str:
        return self._core.sha256

    @property
    def layers(self) -> List[str]:
        return list(self._core.layers)

    @property
    def providers(self) -> List[str]:
        return list(self._core.providers)

    def __repr__(self) -> str:
        return f"Book(companies={len(self)}, edition={self.edition!r}, providers={len(self.providers)})"

    # -- closed forms ------------------------------------------------------------------------
    def companies(self) -> Any:
        """Return one row per company: key, tier, plan, industry, revenue band, provider,
        employees, incident frequency and the premiums charged (a pandas DataFrame)."""
        pd = _pandas()
        raw = self._core.companies()
        tiers, industries, providers = list(self._core.tiers), list(self._core.industries), self.providers
        bands = [f"<= {m / 1e6:,.0f}M" for m in self._core.revenue_band_max_yen] + ["above"]
        return pd.DataFrame({
            "key": raw["key"],
            "tier": pd.Categorical.from_codes(raw["tier"], categories=tiers),
            "bundle_plan": pd.Categorical.from_codes(raw["bundle_plan"], categories=list(PLANS)),
            "industry": pd.Categorical.from_codes(raw["industry"], categories=industries),
            "revenue_band": pd.Categorical.from_codes(np.where(raw["revenue_band"] < 0, len(bands) - 1, raw["revenue_band"]),
                                                      categories=bands),
            "provider": pd.Categorical.from_codes(raw["provider"], categories=providers),
            "employees": raw["employees"],
            "incident_frequency": raw["incident_frequency"],
            "base_annual_premium_yen": raw["base_annual_premium_yen"],
            "top_up_annual_premium_yen": raw["top_up_annual_premium_yen"],
        })

    def expected_losses(self) -> Any:
        """Return the closed forms, one row per company and layer (a pandas DataFrame).

        Columns: ``row`` (the company's position in the book), ``key``, ``layer``, the
        company's ``tier``, ``bundle_plan``, ``industry``, ``revenue_band``, ``provider``,
        then ``claim_frequency``, ``attachment_yen``, ``limit_yen``, ``expected_loss_yen``
        (independent incidents, per-claim limits only), ``systemic_claim_frequency``,
        ``systemic_expected_loss_yen``, ``indicated_premium_yen`` (expected loss / target
        loss ratio), ``indicated_with_systemic_yen``, ``target_loss_ratio``,
        ``section_premium_yen`` (base cover: its annual premium; a section: its premium
        before the multi-section factor) and ``charged_premium_yen`` (base cover: its annual
        premium; a section: its share of the top-up's annual premium after the multi-section
        factor and the minimum).
        """
        pd = _pandas()
        raw = self._core.expected_losses()
        companies = self.companies()
        rows = raw["row"]
        out = pd.DataFrame({
            "row": rows,
            "key": companies["key"].to_numpy()[rows],
            "layer": pd.Categorical.from_codes(raw["layer"], categories=self.layers),
        })
        for c in ("tier", "bundle_plan", "industry", "revenue_band", "provider"):
            out[c] = companies[c].iloc[rows].reset_index(drop=True)  # stays Categorical, in table order
        for c in ("claim_frequency", "attachment_yen", "limit_yen", "expected_loss_yen", "systemic_claim_frequency",
                  "systemic_expected_loss_yen", "indicated_premium_yen", "indicated_with_systemic_yen",
                  "target_loss_ratio", "section_premium_yen", "charged_premium_yen"):
            out[c] = raw[c]
        return out

    def summary(self) -> Any:
        """Return the book's expected losses by layer beside the premiums charged.

        Columns: ``companies``, ``expected_loss_yen``, ``systemic_expected_loss_yen``,
        ``indicated_premium_yen``, ``indicated_with_systemic_yen``, ``charged_premium_yen``,
        ``expected_loss_ratio`` (expected loss / charged) and
        ``expected_loss_ratio_with_systemic``; a ``total`` row last.
        """
        e = self.expected_losses()
        g = e.groupby("layer", observed=False).agg(
            companies=("row", "count"),
            expected_loss_yen=("expected_loss_yen", "sum"),
            systemic_expected_loss_yen=("systemic_expected_loss_yen", "sum"),
            indicated_premium_yen=("indicated_premium_yen", "sum"),
            indicated_with_systemic_yen=("indicated_with_systemic_yen", "sum"),
            charged_premium_yen=("charged_premium_yen", "sum"),
        )
        g.loc["total"] = g.sum()
        g["companies"] = g["companies"].astype(np.int64)
        g.loc["total", "companies"] = len(self)
        g["expected_loss_ratio"] = g["expected_loss_yen"] / g["charged_premium_yen"]
        g["expected_loss_ratio_with_systemic"] = (g["expected_loss_yen"] + g["systemic_expected_loss_yen"]) / g["charged_premium_yen"]
        return g

    # -- exact distributions -----------------------------------------------------------------
    def aggregate(
        self,
        layer: str = "total",
        *,
        span_yen: float = 0,
        discretization: str = "unbiased",
        method: str = "auto",
        tail_probability: float = 1e-12,
        min_points: int = 2000,
    ) -> AggregateDistribution:
        """The exact distribution of the book's annual loss on one layer, or in total.

        The companies are independent without systemic events, so the book's distribution
        is the convolution of theirs (systemic events: use :meth:`simulate`).

        Parameters
        ----------
        layer : str
            ``"total"`` (each company's total, annual aggregates not applied: an upper
            bound), ``"base_cover"`` or a section (each company's annual aggregate applied).
        span_yen : float
            Keyword-only. Lattice span; 0 (default) chooses one that divides every limit.
        discretization : {"unbiased", "rounding"}
        method : {"auto", "panjer", "fft"}
        tail_probability : float
            Keyword-only. Uncapped totals stop where less than this is left beyond.
        min_points : int
            Keyword-only. Points the automatic span aims for.

        Returns
        -------
        AggregateDistribution
        """
        raw = self._core.book_aggregate(layer, float(span_yen), discretization, method, float(tail_probability), int(min_points))
        return AggregateDistribution._from(raw)

    def company_aggregate(
        self,
        row: int,
        layer: Optional[str] = None,
        *,
        include_systemic: bool = False,
        span_yen: float = 0,
        discretization: str = "unbiased",
        method: str = "auto",
        tail_probability: float = 1e-12,
        min_points: int = 2000,
    ) -> AggregateDistribution:
        """The exact annual-loss distribution of one company (its position `row` in the book):
        of one layer with its annual aggregate, or (``layer=None``) its total over its layers
        (annual aggregates not applied). ``include_systemic`` adds the systemic events'
        hits at this company. Other options as in :meth:`aggregate`."""
        raw = self._core.company_aggregate(int(row), layer, float(span_yen), discretization, method, bool(include_systemic),
                                           float(tail_probability), int(min_points))
        return AggregateDistribution._from(raw)

    # -- simulation --------------------------------------------------------------------------
    def simulate(
        self,
        years: int,
        *,
        seed: int = 1,
        threads: Optional[int] = None,
        progress: Optional[Callable[[int, int], Any]] = None,
    ) -> "SimulationResult":
        """Simulate the book for `years` years (the GIL is released while it runs).

        Parameters
        ----------
        years : int
            At least 1 (memory: about 250 bytes a year).
        seed : int
            Keyword-only. The same seed gives bit-identical results for any ``threads``
            and any split of the book (merge the parts with :func:`merge`).
        threads : int, optional
            Keyword-only. Worker threads; None = all cores.
        progress : callable, optional
            Keyword-only. Called as ``progress(done, total)`` (company-years) about ten times
            a second on the calling thread. An exception it raises stops the run.

        Returns
        -------
        SimulationResult
        """
        years = _positive_int(years, "years")
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= seed < 2**64:
            raise _input_error("seed", f"must be an integer in [0, 2**64), got {seed!r}")
        if progress is not None and not callable(progress):
            raise TypeError("progress must be callable or None")
        return SimulationResult(self._core.simulate(years, int(seed), _threads(threads), progress))


def _rebuild_book(state: Dict[str, Any], errors: List[Tuple[int, str]]) -> Book:
    return Book(Book._build(state), state, errors)


# ---- simulation results --------------------------------------------------------------------
_TAIL = ["mean", "sd", "se_mean", "var_99", "se_var_99", "var_99_5", "se_var_99_5", "tvar_99", "se_tvar_99",
         "tvar_99_5", "se_tvar_99_5"]


class SimulationResult:
    """The result of :meth:`Book.simulate`: annual losses and their statistics.

    Every array is read-only numpy, one row per simulated year. ``*_systemic_yen`` is what
    the systemic events add to the incidents' ``*_loss_yen`` (the annual aggregates are
    shared, so "with systemic events" is the sum of the two). Picklable; results of parts of
    one book :meth:`merge` into exactly the whole's.

    Attributes
    ----------
    years, seed, companies : int
    edition, sha256 : str
    layers, tiers, plans : list of str
    layer_loss_yen, layer_systemic_yen : numpy.ndarray of int64, shape (years, layers)
    tier_loss_yen, tier_systemic_yen : numpy.ndarray of int64, shape (years, tiers)
    plan_loss_yen, plan_systemic_yen : numpy.ndarray of int64, shape (years, plans)
    max_incident_yen : numpy.ndarray of int64, shape (years,)
        The year's largest incident (payments on all its layers, before annual aggregates).
    event_year, event_type, event_paid_yen : numpy.ndarray
        Systemic events that hit the book: year, index of the event type, payments caused.
    layer_premium_yen, tier_premium_yen, plan_premium_yen : numpy.ndarray of int64
        Charged a year (sections: their shares of the top-up premium, rounded to yen).
    """

    def __init__(self, totals: Any) -> None:
        self._totals = totals
        self._load()

    def _load(self) -> None:
        t = self._totals
        self.years: int = t.years
        self.seed: int = t.seed
        self.edition: str = t.edition
        self.sha256: str = t.sha256
        self.layers: List[str] = list(t.layers)
        self.tiers: List[str] = list(t.tiers)
        self.plans: List[str] = list(t.plans)
        self.companies: int = t.companies
        for name, value in t.arrays().items():
            setattr(self, name, value)

    def __getstate__(self) -> Any:
        return self._totals.__getstate__()

    def __setstate__(self, state: Any) -> None:
        self._totals = _core._SimulationTotals.__new__(_core._SimulationTotals)
        self._totals.__setstate__(state)
        self._load()

    def merge(self, other: "SimulationResult") -> "SimulationResult":
        """Return the results of this part and `other` (another part of the same book, same
        seed and years) together: exactly the totals of simulating both parts at once."""
        if not isinstance(other, SimulationResult):
            raise TypeError(f"can only merge a SimulationResult, got {type(other).__qualname__}")
        merged = self._totals.copy()
        merged.merge(other._totals)
        return SimulationResult(merged)

    def __repr__(self) -> str:
        return f"SimulationResult(years={self.years}, companies={self.companies}, seed={self.seed}, edition={self.edition!r})"

    # -- series ------------------------------------------------------------------------------
    def annual_loss_yen(self, *, systemic: bool = True) -> Any:
        """Return the annual loss by layer, with a ``total`` column (a pandas DataFrame, one
        row per year), with or without the systemic events."""
        pd = _pandas()
        values = self.layer_loss_yen + (self.layer_systemic_yen if systemic else 0)
        frame = pd.DataFrame(values, columns=self.layers)
        frame["total"] = values.sum(axis=1)
        frame.index.name = "year"
        return frame

    def max_occurrence_yen(self, *, systemic: bool = True) -> np.ndarray:
        """The year's largest occurrence: an incident, or (with systemic events) an event's
        payments over all the companies it hit."""
        out = self.max_incident_yen.astype(np.int64).copy()
        if systemic and len(self.event_year):
            np.maximum.at(out, self.event_year.astype(np.int64), self.event_paid_yen)
        return out

    def loss_ratios(self, by: str = "tier", *, systemic: bool = True) -> Any:
        """Return the annual loss ratio (all layers' losses / premiums charged) per group, one
        row per year (a pandas DataFrame); ``by`` is ``"tier"`` or ``"plan"``."""
        pd = _pandas()
        if by == "tier":
            loss, extra, premium, names = self.tier_loss_yen, self.tier_systemic_yen, self.tier_premium_yen, self.tiers
        elif by == "plan":
            loss, extra, premium, names = self.plan_loss_yen, self.plan_systemic_yen, self.plan_premium_yen, self.plans
        else:
            raise ValueError(f'by must be "tier" or "plan", got {by!r}')
        values = loss + (extra if systemic else 0)
        keep = premium > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            ratios = values[:, keep] / premium[keep]
        return pd.DataFrame(ratios, columns=[n for n, k in zip(names, keep) if k])

    # -- statistics --------------------------------------------------------------------------
    def _summary(self) -> Dict[str, Any]:
        if not hasattr(self, "_cached_summary"):
            self._cached_summary = self._totals.summary()
        return self._cached_summary

    def summary(self) -> Any:
        """Return the statistics of each annual series (a pandas DataFrame).

        One row per (``series``, ``systemic``): ``total``, ``base_cover``, each section,
        ``top_up``; without and with systemic events. Columns: ``mean``, ``sd``, ``se_mean``,
        ``var_99``, ``var_99_5``, ``tvar_99``, ``tvar_99_5`` and their standard errors
        (``se_*``), ``premium_yen`` (charged a year) and ``p_loss_exceeds_premium`` with its
        standard error (the probability that the pool's losses exceed its premiums).
        """
        pd = _pandas()
        rows = self._summary()["series"]
        frame = pd.DataFrame(rows).set_index(["name", "systemic"])
        frame.index.names = ["series", "systemic"]
        return frame[_TAIL + ["premium_yen", "p_loss_exceeds_premium", "se_p_loss_exceeds_premium"]]

    def exceedance_curves(self) -> Any:
        """Return the AEP and OEP curves at return periods 2 ... 1000 years (those the number of
        years can show): loss in yen by return period, with and without systemic events."""
        pd = _pandas()
        s = self._summary()
        frames = []
        for name, key in (("aep", "aep"), ("aep_systemic", "aep_systemic"), ("oep", "oep"), ("oep_systemic", "oep_systemic")):
            points = s[key]
            frames.append(pd.Series([p[1] for p in points], index=[p[0] for p in points], name=name))
        out = pd.concat(frames, axis=1)
        out.index.name = "return_period_years"
        return out

    def loss_ratio_summary(self, by: str = "tier") -> Any:
        """Return the loss-ratio distribution per tier or plan: mean (with its standard
        error), sd and the 5%, 50%, 95% and 99.5% points, with and without systemic events."""
        pd = _pandas()
        if by not in ("tier", "plan"):
            raise ValueError(f'by must be "tier" or "plan", got {by!r}')
        rows = self._summary()["by_tier" if by == "tier" else "by_plan"]
        return pd.DataFrame(rows).set_index(["group", "systemic"])

    # -- plots -------------------------------------------------------------------------------
    def plot_exceedance(self, *, ax: Any = None) -> Any:
        """Plot the AEP and OEP curves, with and without systemic events (log return period)."""
        import matplotlib.pyplot as plt

        ax = ax or plt.subplots(figsize=(7, 4))[1]
        n = self.years
        period = n / np.arange(n, 0, -1)
        for series, label, style in (
            (self.annual_loss_yen(systemic=False)["total"].to_numpy(), "AEP", "-"),
            (self.annual_loss_yen(systemic=True)["total"].to_numpy(), "AEP with systemic events", "-"),
            (self.max_occurrence_yen(systemic=False), "OEP", "--"),
            (self.max_occurrence_yen(systemic=True), "OEP with systemic events", "--"),
        ):
            ax.plot(period, np.sort(series) / 1e6, style, label=label)
        ax.set_xscale("log")
        ax.set_xlim(1, n)
        ax.set_xlabel("return period (years)")
        ax.set_ylabel("loss (million yen)")
        ax.legend()
        ax.grid(True, which="both", alpha=0.3)
        return ax

    def plot_loss_ratios(self, by: str = "tier", *, systemic: bool = True, ax: Any = None) -> Any:
        """Box plot of the annual loss ratio per tier or plan."""
        import matplotlib.pyplot as plt

        ax = ax or plt.subplots(figsize=(7, 4))[1]
        ratios = self.loss_ratios(by, systemic=systemic)
        ax.boxplot([ratios[c].to_numpy() for c in ratios.columns], labels=list(ratios.columns), whis=(1, 99), showfliers=False)
        ax.set_xlabel(by)
        ax.set_ylabel("annual loss ratio" + (" (with systemic events)" if systemic else ""))
        ax.grid(True, axis="y", alpha=0.3)
        return ax

    def plot_annual_losses(self, *, ax: Any = None, bins: int = 80) -> Any:
        """Histogram of the book's annual total loss, with and without systemic events."""
        import matplotlib.pyplot as plt

        ax = ax or plt.subplots(figsize=(7, 4))[1]
        without = self.annual_loss_yen(systemic=False)["total"].to_numpy() / 1e6
        with_ = self.annual_loss_yen(systemic=True)["total"].to_numpy() / 1e6
        top = np.quantile(with_, 0.999)
        ax.hist([without, with_], bins=bins, range=(0, top), label=["incidents", "with systemic events"], histtype="step")
        ax.set_xlabel("annual loss (million yen)")
        ax.set_ylabel("years")
        ax.legend()
        return ax

    def _repr_html_(self) -> str:
        s = self.summary()
        keep = s.loc[(["total", "base_cover", "top_up"], slice(None)), ["mean", "se_mean", "var_99_5", "tvar_99_5",
                                                                         "p_loss_exceeds_premium"]]
        return f"<p>{self!r}</p>" + keep.to_html(float_format=lambda v: f"{v:,.4g}")


def merge(results: Iterable[SimulationResult]) -> SimulationResult:
    """Merge the results of parts of one book (same seed, years and edition; disjoint
    companies) into the results of the whole book, exactly."""
    it = iter(results)
    try:
        total = next(it)
    except StopIteration:
        raise ValueError("merge needs at least one result") from None
    for r in it:
        total = total.merge(r)
    return total


def simulate(
    engine: Engine,
    df: Any,
    *,
    years: int,
    seed: int = 1,
    threads: Optional[int] = None,
    progress: Optional[Callable[[int, int], Any]] = None,
    **book_options: Any,
) -> SimulationResult:
    """Price a portfolio frame and simulate it: ``Book.from_frame(engine, df, ...).simulate(...)``.

    Parameters
    ----------
    engine : cybercover.Engine
    df : pandas.DataFrame
        The columns :meth:`Engine.quote_frame` takes, plus optionally ``provider``.
    years, seed, threads, progress
        Keyword-only; see :meth:`Book.simulate`.
    **book_options
        Keyword-only options of :meth:`Book.from_frame` (``provider``, ``keys``,
        ``answers``, ``quote_date``, ``subsidy_program``, ``errors``).

    Returns
    -------
    SimulationResult
    """
    book = Book.from_frame(engine, df, threads=threads, **book_options)
    return book.simulate(years, seed=seed, threads=threads, progress=progress)
