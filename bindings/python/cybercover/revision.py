"""Rate revision for actuaries (docs/rate_revision.md): dislocation of a book between two
editions, and rate indication from the loss model.

* :func:`dislocation` prices one book under two editions with every date unchanged (as-if
  pricing, ``edition=``), the new edition's renewal cap holding each renewal against its old
  premium, and gives each company's premium change (:class:`Dislocation`): its distribution,
  the change by tier, industry, size band and plan, the winners and losers and the total, as
  DataFrames and a plot. ``cybercover dislocation IN.csv --from A --to B -o OUT.csv`` writes
  the same rows.
* :func:`cybercover.indication.indicate` says what the loss model implies for every rating
  factor at the target loss ratio on a reference book, and
  :func:`cybercover.indication.loss_ratios` shows the charged and indicated loss ratios along
  every rating axis.

Premiums are the engine's exact yen; only ratios and percentages are floats.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from . import _core
from ._core import Engine

__all__ = ["Dislocation", "dislocation"]

AXES: Tuple[str, ...] = ("tier", "industry", "size_band", "plan")
_PLANS = ("none", "utm", "edr", "utm_edr")
#: Bins of the premium change in percent for :meth:`Dislocation.distribution`.
CHANGE_BINS: Tuple[float, ...] = (-np.inf, -75, -50, -25, -10, -1e-9, 1e-9, 10, 25, 50, np.inf)
_BIN_LABELS = ("below -75%", "-75% to -50%", "-50% to -25%", "-25% to -10%", "-10% to 0%", "unchanged", "0% to +10%",
               "+10% to +25%", "+25% to +50%", "above +50%")


def _pandas() -> Any:
    try:
        import pandas
    except ImportError as e:  # pragma: no cover
        raise ImportError("cybercover.revision needs pandas (Debian: apt install python3-pandas)") from e
    return pandas


def _layout(engine: Engine, edition: str) -> Dict[str, Any]:
    for layout in _core._portfolio_editions(engine):
        if layout["edition"] == edition:
            return layout
    known = ", ".join(l["edition"] for l in _core._portfolio_editions(engine))
    raise _core.NoEditionError(f'[cybercover.no_edition.unknown_edition] edition: no edition with this id is loaded '
                               f'(editions: {known}), got "{edition}"')


def _band_labels(maxima: Sequence[Optional[int]]) -> List[str]:
    labels, lo = [], 1
    for m in maxima:
        labels.append(f"{lo}+" if m is None else f"{lo}-{m}")
        lo = (m or 0) + 1
    return labels


def size_band(employees: Any, maxima: Sequence[Optional[int]]) -> Any:
    """The employee band label ("1-20", ..., "301+") of each company (base_cover.json bands)."""
    pd = _pandas()
    edges = np.array([m for m in maxima if m is not None], dtype=np.int64)
    codes = np.searchsorted(edges, np.asarray(employees, dtype=np.int64), side="left")
    return pd.Categorical.from_codes(codes, categories=_band_labels(maxima))


class Dislocation:
    """One book under two editions: each company's premium change.

    A company's premium is the base cover's annual premium plus the top-up's annual premium
    (before subsidy) under each edition; the change is the new minus the old, in yen and in
    percent of the old.

    Attributes
    ----------
    companies : pandas.DataFrame
        One row per book row (the book's index), in the columns of ``cybercover dislocation``:
        ``ok``, ``error_code``, ``error``, ``industry``, ``size_band``, ``bundle_plan``,
        ``tier_from``, ``tier_to``, ``outcome_from``, ``outcome_to``,
        ``base_annual_from_yen``, ``base_annual_to_yen``, ``top_up_annual_from_yen``,
        ``top_up_uncapped_to_yen``, ``top_up_annual_to_yen``, ``renewal_code``,
        ``premium_from_yen``, ``premium_to_yen``, ``change_yen``, ``change_percent``.
    from_edition, to_edition : str
    renewal_cap : bool
        Whether the new edition's renewal cap held each renewal against its old premium.
    """

    def __init__(self, companies: Any, *, from_edition: str, to_edition: str, renewal_cap: bool) -> None:
        self.companies = companies
        self.from_edition = from_edition
        self.to_edition = to_edition
        self.renewal_cap = renewal_cap

    @property
    def priced(self) -> Any:
        """The companies priced under both editions."""
        return self.companies[self.companies["ok"]]

    def total(self) -> Dict[str, Any]:
        """The book's totals under both editions and the change (yen exact, percentages)."""
        p = self.priced
        f, t = int(p["premium_from_yen"].sum()), int(p["premium_to_yen"].sum())
        codes = p["renewal_code"].value_counts()
        return {
            "companies": int(len(p)),
            "errors": int((~self.companies["ok"]).sum()),
            "premium_from_yen": f,
            "premium_to_yen": t,
            "change_yen": t - f,
            "change_percent": 100.0 * (t - f) / f if f else float("nan"),
            "base_cover_from_yen": int(p["base_annual_from_yen"].fillna(0).sum()),
            "base_cover_to_yen": int(p["base_annual_to_yen"].fillna(0).sum()),
            "top_up_from_yen": int(p["top_up_annual_from_yen"].fillna(0).sum()),
            "top_up_uncapped_to_yen": int(p["top_up_uncapped_to_yen"].fillna(0).sum()),
            "top_up_to_yen": int(p["top_up_annual_to_yen"].fillna(0).sum()),
            "increases": int((p["change_yen"] > 0).sum()),
            "decreases": int((p["change_yen"] < 0).sum()),
            "unchanged": int((p["change_yen"] == 0).sum()),
            "increase_capped": int(codes.get("RENEWAL_INCREASE_CAPPED", 0)),
            "decrease_capped": int(codes.get("RENEWAL_DECREASE_CAPPED", 0)),
        }

    def quantiles(self, levels: Sequence[float] = (0, 0.05, 0.25, 0.5, 0.75, 0.95, 1)) -> Any:
        """Quantiles of the change in percent over the companies with an old premium."""
        return self.priced["change_percent"].dropna().quantile(list(levels))

    def distribution(self) -> Any:
        """The number of companies and premium by band of percent change (:data:`CHANGE_BINS`)."""
        pd = _pandas()
        p = self.priced.dropna(subset=["change_percent"])
        bands = pd.cut(p["change_percent"], bins=list(CHANGE_BINS), labels=list(_BIN_LABELS))
        g = p.groupby(bands, observed=False)
        out = pd.DataFrame({"companies": g.size(), "premium_from_yen": g["premium_from_yen"].sum(),
                            "premium_to_yen": g["premium_to_yen"].sum()})
        out["share"] = out["companies"] / max(1, len(p))
        out.index.name = "change"
        return out

    def by(self, axis: str) -> Any:
        """The change by ``"tier"`` (the old edition's tier), ``"industry"``, ``"size_band"``
        (employees) or ``"plan"``: companies, both premiums, the change in yen and percent,
        the median company's change, and how many pay more, less or the same."""
        pd = _pandas()
        column = {"tier": "tier_from", "plan": "bundle_plan"}.get(axis, axis)
        if column not in self.companies.columns:
            raise KeyError(f"no axis {axis!r} (axes: {', '.join(AXES)})")
        p = self.priced
        g = p.groupby(column, observed=False)
        out = pd.DataFrame({
            "companies": g.size(),
            "premium_from_yen": g["premium_from_yen"].sum().astype("int64"),
            "premium_to_yen": g["premium_to_yen"].sum().astype("int64"),
        })
        out["change_yen"] = out["premium_to_yen"] - out["premium_from_yen"]
        out["change_percent"] = 100.0 * out["change_yen"] / out["premium_from_yen"].where(out["premium_from_yen"] > 0)
        out["median_change_percent"] = g["change_percent"].median()
        sign = np.sign(p["change_yen"].astype("int64"))
        for name, value in (("increases", 1), ("decreases", -1), ("unchanged", 0)):
            out[name] = (sign == value).groupby(p[column], observed=False).sum().astype("int64")
        out.index.name = axis
        return out

    def winners(self, n: int = 10) -> Any:
        """The `n` companies whose premium falls most (in yen)."""
        return self.priced.nsmallest(n, "change_yen")

    def losers(self, n: int = 10) -> Any:
        """The `n` companies whose premium rises most (in yen)."""
        return self.priced.nlargest(n, "change_yen")

    def summary(self) -> Any:
        """Every axis in one frame: (axis, level) rows of :meth:`by`."""
        pd = _pandas()
        return pd.concat({axis: self.by(axis) for axis in AXES}, names=["axis", "level"])

    def to_csv(self, path: Any) -> None:
        """Write :attr:`companies` as ``cybercover dislocation`` does (same columns)."""
        self.companies.to_csv(path, index=False)

    def plot(self, *, figsize: Tuple[float, float] = (11, 7.5)) -> Any:
        """The distribution of the change and the change by tier, industry, size band and plan
        (matplotlib). Returns the Figure."""
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(2, 3, figsize=figsize, constrained_layout=True)
        p = self.priced.dropna(subset=["change_percent"])
        ax = axes[0, 0]
        ax.hist(p["change_percent"].clip(-100, 150), bins=50, color="#4a6fa5")
        ax.axvline(0, color="black", lw=0.8)
        ax.set_title("premium change per company")
        ax.set_xlabel("change (%)")
        ax.set_ylabel("companies")
        ax = axes[0, 1]
        srt = np.sort(p["change_percent"].to_numpy())
        ax.plot(srt, np.linspace(0, 1, len(srt)), color="#4a6fa5")
        ax.axvline(0, color="black", lw=0.8)
        ax.set_title("cumulative share of companies")
        ax.set_xlabel("change (%)")
        for ax, axis in zip([axes[0, 2], axes[1, 0], axes[1, 1], axes[1, 2]], AXES):
            b = self.by(axis)
            b = b[b["companies"] > 0]
            colors = ["#b5453a" if v > 0 else "#3a8f5c" for v in b["change_percent"].fillna(0)]
            ax.barh([str(i) for i in b.index], b["change_percent"].fillna(0), color=colors)
            ax.axvline(0, color="black", lw=0.8)
            ax.invert_yaxis()
            ax.set_title(f"change by {axis.replace('_', ' ')} (%)")
        total = self.total()
        fig.suptitle(f"Dislocation {self.from_edition} -> {self.to_edition}: {total['companies']:,} companies, "
                     f"premium {total['change_percent']:+.1f}%" + (" (renewal cap)" if self.renewal_cap else ""))
        return fig

    def __repr__(self) -> str:
        t = self.total()
        return (f"Dislocation({self.from_edition!r} -> {self.to_edition!r}, companies={t['companies']}, "
                f"change={t['change_percent']:+.1f}%)")


def dislocation(
    engine: Engine,
    book: Any,
    *,
    from_edition: str,
    to_edition: str,
    answers: Any = None,
    quote_date: Any = None,
    subsidy_program: Optional[str] = None,
    renewal_cap: bool = True,
    threads: Optional[int] = None,
) -> Dislocation:
    """Price one book under two editions and give each company's premium change.

    Both pricings use :meth:`Engine.quote_frame` with ``edition=`` (as-if pricing): every
    date stays the book's own, so the EDR learning period and the subsidy's dates do not
    move. With ``renewal_cap`` each company's top-up premium under `from_edition` is its
    prior premium under `to_edition` (unless the book gives ``prior_annual_premium_yen``),
    so the new edition's renewal cap holds the change.

    Parameters
    ----------
    engine : Engine
        An engine holding both editions (:meth:`Engine.from_editions` builds one in memory).
    book : pandas.DataFrame
        The quote_frame layout (the CSV of ``cybercover price``).
    from_edition, to_edition : str
        Keyword-only. The old and the new edition's ids.
    answers, quote_date, subsidy_program, threads
        Keyword-only; as in :meth:`Engine.quote_frame`.
    renewal_cap : bool
        Keyword-only. Cap each renewal against its old premium (default True).

    Returns
    -------
    Dislocation

    Raises
    ------
    NoEditionError
        An edition id the engine does not have (``no_edition.unknown_edition``).
    InputError
        A whole-book problem (an unknown column...). Bad rows fail alone (``ok`` False).
    """
    pd = _pandas()
    if not isinstance(book, pd.DataFrame):
        raise TypeError(f"book must be a pandas.DataFrame, got {type(book).__qualname__}")
    to_layout = _layout(engine, to_edition)
    _layout(engine, from_edition)
    kw = dict(answers=answers, quote_date=quote_date, subsidy_program=subsidy_program, threads=threads, errors="collect")
    old = engine.quote_frame(book, edition=from_edition, **kw)
    new_book = book
    if renewal_cap:
        prior = old["annual_premium_yen"].where(old["ok"] & (old["annual_premium_yen"].fillna(0) > 0))
        if "prior_annual_premium_yen" in book.columns:
            given = pd.array(book["prior_annual_premium_yen"], dtype="Int64")
            prior = pd.Series(given, index=book.index).fillna(prior)
        prior_column = pd.Series(pd.array(prior, dtype="Int64"), index=book.index, name="prior_annual_premium_yen")
        new_book = pd.concat([book.drop(columns=["prior_annual_premium_yen"], errors="ignore"), prior_column], axis=1)
    new = engine.quote_frame(new_book, edition=to_edition, **kw)

    ok = old["ok"].to_numpy() & new["ok"].to_numpy()
    error_code = old["error_code"].where(~old["ok"], new["error_code"])
    error = old["error"].where(~old["ok"], new["error"])

    def premium(frame: Any) -> Any:
        return frame["base_annual_premium_yen"].fillna(0).astype("int64") + frame["annual_premium_yen"].fillna(0).astype("int64")

    premium_from = premium(old).where(ok)
    premium_to = premium(new).where(ok)
    change = premium_to - premium_from
    change_percent = (100.0 * change / premium_from.where(premium_from > 0)).astype(float)
    renewal = new["renewal_code"] if "renewal_code" in new.columns else pd.Series(None, index=new.index, dtype=object)
    if "renewal_code" in new.columns:
        renewal = renewal.where(new["annual_premium_yen"].notna(), None)
    uncapped = new["uncapped_annual_premium_yen"] if "uncapped_annual_premium_yen" in new.columns else new["annual_premium_yen"]
    companies = pd.DataFrame({
        "ok": ok,
        "error_code": error_code.where(~ok, None),
        "error": error.where(~ok, None),
        "industry": pd.Categorical(book["industry"].astype(object).where(ok, None), categories=to_layout["industries"]),
        "size_band": pd.Series(size_band(book["employees"].fillna(1), to_layout["employee_band_max"]), index=book.index).where(ok),
        "bundle_plan": pd.Categorical(book["bundle_plan"].astype(object).where(ok, None), categories=list(_PLANS)),
        "tier_from": old["tier"].where(ok),
        "tier_to": new["tier"].where(ok),
        "outcome_from": old["outcome"].where(ok),
        "outcome_to": new["outcome"].where(ok),
        "base_annual_from_yen": old["base_annual_premium_yen"].where(ok),
        "base_annual_to_yen": new["base_annual_premium_yen"].where(ok),
        "top_up_annual_from_yen": old["annual_premium_yen"].where(ok),
        "top_up_uncapped_to_yen": uncapped.where(ok),
        "top_up_annual_to_yen": new["annual_premium_yen"].where(ok),
        "renewal_code": renewal.where(ok, None),
        "premium_from_yen": pd.array(premium_from, dtype="Int64"),
        "premium_to_yen": pd.array(premium_to, dtype="Int64"),
        "change_yen": pd.array(change, dtype="Int64"),
        "change_percent": change_percent,
    }, index=book.index)
    if "id" in book.columns:
        companies.insert(0, "id", book["id"].to_numpy())
    return Dislocation(companies, from_edition=from_edition, to_edition=to_edition, renewal_cap=renewal_cap)
