"""Rate indication from the loss model, and loss ratios along every rating axis
(docs/rate_revision.md).

:func:`indicate` says what the loss model (the edition's ``loss_model.json``, through
:mod:`cybercover.loss`) implies for every rating factor at the target loss ratio on a reference
book: the top-up and base-cover tier relativities, the increased-limit and deductible factors,
the excess factors over the base cover, the base premium of every revenue band and the base
cover's monthly rate of every plan and employee band. It then prices the reference book under
the indicated edition (in memory, with the engine's own arithmetic) and rebalances the levels
until each section and each plan's base cover meets its target after the multi-section factor,
the minimum premium and the rounding. :meth:`Indication.apply` writes the result into an
:class:`~cybercover.editions.Edition`.

:func:`loss_ratios` puts the charged and the indicated premium side by side along every axis
(layer, tier, plan, employee band, revenue band, industry, limit, deductible) for one or more
editions, as-if priced on the same book.

Premiums are the engine's exact yen; expected losses are the model's closed forms (floats).

Examples
--------
>>> import cybercover
>>> from cybercover.indication import indicate, loss_ratios
>>> from cybercover.synthetic import generate_portfolio
>>> engine = cybercover.Engine()
>>> p = generate_portfolio(20_000, seed=1, engine=engine)
>>> ind = indicate(engine, p.frame, answers=p.answers, edition="2026-12")   # doctest: +SKIP
>>> ind.factors.query("table == 'top_up' and factor == 'tier_factors'")     # doctest: +SKIP
>>> new = ind.apply(cybercover.Edition.from_engine(engine, "2026-12"))       # doctest: +SKIP
"""

from __future__ import annotations

import math
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from . import _core
from . import loss as _loss
from ._core import Engine
from .editions import Edition

__all__ = ["Indication", "indicate", "loss_ratios", "plot_loss_ratios", "AXES", "FULL_CREDIBILITY_CLAIMS"]

#: Axes of :func:`loss_ratios`.
AXES: Tuple[str, ...] = ("layer", "tier", "bundle_plan", "size_band", "revenue_band", "industry", "limit", "deductible")
#: The limited-fluctuation standard for full credibility: 1,082 expected claims give a
#: frequency within 5% of its mean with probability 90% (Poisson; Longley-Cook).
FULL_CREDIBILITY_CLAIMS = 1082.0
_PLANS = ("none", "utm", "edr", "utm_edr")
_LIMIT, _DEDUCTIBLE = "_limit_yen", "_deductible_yen"
_ITERATIONS = 4


def _pandas() -> Any:
    try:
        import pandas
    except ImportError as e:  # pragma: no cover
        raise ImportError("cybercover.indication needs pandas (Debian: apt install python3-pandas)") from e
    return pandas


def _take(answers: Any, positions: np.ndarray) -> Any:
    if answers is None:
        return None
    if hasattr(answers, "iloc"):
        return answers.iloc[positions].reset_index(drop=True)
    return np.asarray(answers)[positions]


def _round(x: float, places: int) -> float:
    # Half up on the decimal the table will hold (factors have at most four places).
    return math.floor(x * 10 ** places + 0.5) / 10 ** places


def _round_yen(x: float, step: int) -> int:
    return int(step * math.floor(x / step + 0.5))


def _base_key(mapping: Mapping[str, Any], fallback: str) -> str:
    """The key whose factor is 1 (the base level of a relativity table), else `fallback`."""
    for k, v in mapping.items():
        if float(v) == 1.0:
            return k
    return fallback


class Indication:
    """What the loss model indicates for every rating factor (see :func:`indicate`).

    Attributes
    ----------
    factors : pandas.DataFrame
        One row per rated value: ``table``, ``factor`` (the table entry), ``key`` (tier,
        limit, deductible, plan, revenue band, industry, employee band), ``section``,
        ``current``, ``model`` (what the model alone implies), ``credibility`` (the weight
        of ``model``), ``indicated`` (the value :meth:`apply` writes) and ``change``
        (indicated / current - 1).
    levels : pandas.DataFrame
        The rebalancing: per layer, the level factor of each iteration and the expected loss
        ratio reached on the reference book.
    edition : str
        The edition the indication starts from.
    target_loss_ratio : dict
        ``base_cover`` and ``top_up`` targets.
    """

    def __init__(self, factors: Any, levels: Any, *, edition: str, target_loss_ratio: Dict[str, float],
                 values: Dict[str, Any]) -> None:
        self.factors = factors
        self.levels = levels
        self.edition = edition
        self.target_loss_ratio = dict(target_loss_ratio)
        self._values = values

    def apply(self, edition: Edition) -> Edition:
        """Return a copy of `edition` with every indicated value written in.

        `edition` must have the same sections, limits, deductibles, revenue bands, employee
        bands and tiers as the one indicated (its copy, usually, after
        :meth:`Edition.set_identity`). The base cover of every plan becomes an employee-band
        rate (the model has no endpoint axis: see docs/rate_revision.md).
        """
        return _apply(edition, self._values)

    def __repr__(self) -> str:
        return f"Indication(edition={self.edition!r}, factors={len(self.factors)})"

    def _repr_html_(self) -> str:
        return self.factors._repr_html_()


# ---- the reference book through the loss model -----------------------------------------------
def _priced_book(engine: Engine, frame: Any, answers: Any, edition: str, quote_date: Any, subsidy_program: Any,
                 threads: Any) -> Tuple[Any, Any]:
    """The loss book of `frame` under `edition`, and its expected losses joined to the
    company's options (limit and deductible of each section, employees)."""
    book = _loss.Book.from_frame(engine, frame, answers=answers, quote_date=quote_date, subsidy_program=subsidy_program,
                                 edition=edition, threads=threads, errors="collect")
    el = book.expected_losses()
    keys = el["key"].to_numpy().astype(np.int64)
    el["employees"] = frame["employees"].to_numpy()[keys]  # the frame has a RangeIndex: keys are positions
    return book, el


def _probe_values(engine: Engine, frame: Any, answers: Any, edition: str, layout: Dict[str, Any],
                  priced: Any, threads: Any) -> Dict[Tuple[str, str, int, int], float]:
    """The model's expected payment per claim of every (plan, section, limit, deductible):
    one template company per plan, one row per option, through the loss book."""
    pd = _pandas()
    ok = priced["ok"].to_numpy(dtype=bool) & (priced["outcome"].astype(object).to_numpy() != "decline")
    plans = frame["bundle_plan"].astype(object).to_numpy()
    rows: List[int] = []
    options: List[Tuple[str, str, int, int]] = []
    sections = layout["sections"]
    for plan in _PLANS:
        candidates = np.flatnonzero(ok & (plans == plan))
        if not len(candidates):
            continue
        for s, spec in sections.items():
            for limit in spec["limits"]:
                for deductible in spec["deductibles"]:
                    rows.append(int(candidates[0]))
                    options.append((plan, s, limit, deductible))
    if not any(o[0] == "none" for o in options):
        raise ValueError("the reference book needs at least one priced company with bundle_plan 'none': the excess "
                         "and increased-limit factors are measured against a company without a base cover")
    probe = frame.iloc[rows].reset_index(drop=True).copy()
    for s in sections:
        probe[s + _LIMIT] = 0
        probe[s + _DEDUCTIBLE] = -1
    for i, (_, s, limit, deductible) in enumerate(options):
        probe.loc[i, s + _LIMIT] = limit
        probe.loc[i, s + _DEDUCTIBLE] = deductible
    book = _loss.Book.from_frame(engine, probe, answers=_take(answers, np.asarray(rows)), edition=edition,
                                 threads=threads, errors="raise")
    e = book.expected_losses()
    values: Dict[Tuple[str, str, int, int], float] = {}
    for row, layer, lam, loss in zip(e["row"], e["layer"].astype(str), e["claim_frequency"], e["expected_loss_yen"]):
        plan, s, limit, deductible = options[int(row)]
        if layer == s:
            values[(plan, s, limit, deductible)] = float(loss) / float(lam)
    return values


def _layout(edition: Edition) -> Dict[str, Any]:
    top = edition.table("top_up")
    sections = {}
    for sec in top["sections"]:
        sections[sec["key"]] = {
            "limits": [int(r["limit_yen"]) for r in sec["limits"]],
            "limit_factors": {int(r["limit_yen"]): float(r["factor"]) for r in sec["limits"]},
            "deductibles": [int(r["deductible_yen"]) for r in sec["deductibles"]],
            "deductible_factors": {int(r["deductible_yen"]): float(r["factor"]) for r in sec["deductibles"]},
            "default_deductible": int(sec["default_deductible_yen"]),
            "excess": bool(sec["excess_over_base_cover"]),
        }
    base = edition.table("base_cover")
    return {
        "sections": sections,
        "revenue_max": [int(b["max_revenue_yen"]) for b in top["revenue_bands"]],
        "employee_max": [b.get("max_employees") for b in base["employee_bands"]],
        "msf": [float(x) for x in top["multi_section_factors"]],
    }


def _band(values: np.ndarray, maxima: Sequence[Optional[int]]) -> np.ndarray:
    edges = np.array([m for m in maxima if m is not None], dtype=np.int64)
    return np.searchsorted(edges, np.asarray(values, dtype=np.int64), side="left")


# ---- the indication ---------------------------------------------------------------------------
def indicate(
    engine: Engine,
    book: Any,
    *,
    edition: str,
    answers: Any = None,
    quote_date: Any = None,
    subsidy_program: Optional[str] = None,
    target_loss_ratio: Union[None, float, Mapping[str, float]] = None,
    full_credibility_claims: float = FULL_CREDIBILITY_CLAIMS,
    max_move: float = 0.25,
    minimum_premium_yen: Optional[int] = None,
    threads: Optional[int] = None,
) -> Indication:
    """Indicate every rating factor from the loss model at the target loss ratio on a book.

    Parameters
    ----------
    engine : Engine
        Holds `edition`.
    book : pandas.DataFrame
        The reference book in the layout of :meth:`Engine.quote_frame` (e.g. a synthetic
        portfolio's ``frame``).
    edition : str
        Keyword-only. The edition to revise: its rates are the complement of credibility and
        the starting point; its loss model gives the expected losses.
    answers, quote_date, subsidy_program, threads
        Keyword-only; as in :meth:`Engine.quote_frame`.
    target_loss_ratio : float or dict, optional
        Keyword-only. ``{"base_cover": .., "top_up": ..}`` or one figure for both; default the
        loss model's ``target_loss_ratio``.
    full_credibility_claims : float
        Keyword-only. Expected claims for full credibility of a revenue band's own indication
        (default 1,082); fewer get Z = sqrt(claims / standard), the rest from the current
        relativity.
    max_move : float
        Keyword-only. The largest move of a revenue band's relativity against the current one
        (after the section's level change), default 0.25.
    minimum_premium_yen : int, optional
        Keyword-only. The top-up's minimum premium in the indicated edition (default: the
        current one); the rebalancing takes it into account.

    Returns
    -------
    Indication
    """
    pd = _pandas()
    if not isinstance(book, pd.DataFrame):
        raise TypeError(f"book must be a pandas.DataFrame, got {type(book).__qualname__}")
    if not (full_credibility_claims > 0):
        raise ValueError(f"full_credibility_claims must be > 0, got {full_credibility_claims!r}")
    if not (0 <= max_move < 1):
        raise ValueError(f"max_move must be in [0, 1), got {max_move!r}")
    book = book.reset_index(drop=True)
    current = Edition.from_engine(engine, edition)
    layout = _layout(current)
    model = current.table("loss_model")
    if target_loss_ratio is None:
        targets = {k: float(v) for k, v in model["target_loss_ratio"].items()}
    elif isinstance(target_loss_ratio, Mapping):
        targets = {"base_cover": float(target_loss_ratio["base_cover"]), "top_up": float(target_loss_ratio["top_up"])}
    else:
        targets = {"base_cover": float(target_loss_ratio), "top_up": float(target_loss_ratio)}
    for k, v in targets.items():
        if not (0 < v <= 2):
            raise ValueError(f"target_loss_ratio {k} must be in (0, 2], got {v!r}")
    top = current.table("top_up")
    base = current.table("base_cover")
    kw = dict(answers=answers, quote_date=quote_date, subsidy_program=subsidy_program, threads=threads)
    priced = engine.quote_frame(book, edition=edition, errors="collect", **kw)
    _, el = _priced_book(engine, book, answers, edition, quote_date, subsidy_program, threads)
    probe = _probe_values(engine, book, answers, edition, layout, priced, threads)

    rows: List[Dict[str, Any]] = []

    def record(table: str, factor: str, key: Any, section: Optional[str], cur: float, mod: float, z: float,
               ind: float) -> None:
        rows.append({"table": table, "factor": factor, "key": str(key), "section": section, "current": cur, "model": mod,
                     "credibility": z, "indicated": ind, "change": ind / cur - 1 if cur else float("nan")})

    values: Dict[str, Any] = {"sections": {}, "minimum_premium_yen": minimum_premium_yen}

    # Tier relativities: the model's frequency multipliers relative to the base tier.
    mult = {k: float(v) for k, v in model["frequency"]["tier_multipliers"].items()}
    for table, doc in (("top_up", top), ("base_cover", base)):
        ref = _base_key(doc["tier_factors"], "C")
        values[table + "_tiers"] = {}
        for t, cur in doc["tier_factors"].items():
            rel = _round(mult[t] / mult[ref], 4)
            values[table + "_tiers"][t] = rel
            record(table, "tier_factors", t, None, float(cur), mult[t] / mult[ref], 1.0, rel)

    # Per company and section: the claim frequency (lambda p_s) and its options.
    sec_el = el[el["layer"].astype(str) != "base_cover"]
    company_opts: Dict[str, Any] = {}
    for s, spec in layout["sections"].items():
        e = sec_el[sec_el["layer"].astype(str) == s]
        keys = e["key"].to_numpy().astype(np.int64)
        limit = book[s + _LIMIT].to_numpy()[keys].astype(np.int64)
        ded = book[s + _DEDUCTIBLE].to_numpy()[keys] if s + _DEDUCTIBLE in book.columns else np.full(len(keys), -1)
        ded = np.where(pd.isna(ded), -1, ded).astype(np.int64)
        ded = np.where(ded < 0, spec["default_deductible"], ded)
        company_opts[s] = {"el": e, "keys": keys, "limit": limit, "deductible": ded,
                           "plan": e["bundle_plan"].astype(str).to_numpy(), "freq": e["claim_frequency"].to_numpy()}

    # Limits, deductibles and excess factors: ratios of the model's expected payment per claim.
    for s, spec in layout["sections"].items():
        o = company_opts[s]
        L0 = _base_key({str(k): v for k, v in spec["limit_factors"].items()}, str(spec["limits"][0]))
        d0 = _base_key({str(k): v for k, v in spec["deductible_factors"].items()}, str(spec["default_deductible"]))
        L0, d0 = int(L0), int(d0)
        V = lambda plan, L, d: probe[(plan, s, L, d)]  # noqa: E731
        lf = {}
        for L in spec["limits"]:
            m = V("none", L, d0) / V("none", L0, d0)
            lf[L] = _round(m, 4 if m < 0.1 else 3)
            record("top_up", "limits", L, s, spec["limit_factors"][L], m, 1.0, lf[L])
        df = {}
        for d in spec["deductibles"]:
            if len(spec["deductibles"]) == 1 or not len(o["keys"]):
                m = 1.0 if d == d0 else spec["deductible_factors"][d]
            else:
                num = sum(f * V("none", int(L), d) for f, L in zip(o["freq"], o["limit"]))
                den = sum(f * V("none", int(L), d0) for f, L in zip(o["freq"], o["limit"]))
                m = num / den
            df[d] = _round(m, 3)
            record("top_up", "deductibles", d, s, spec["deductible_factors"][d], m, 1.0, df[d])
        values["sections"][s] = {"limits": lf, "deductibles": df}
        if spec["excess"]:
            ex = {}
            for plan in _PLANS:
                cur = float(top["excess_factors"][plan])
                sel = o["plan"] == plan
                if plan == "none" or not sel.any():
                    m = 1.0 if plan == "none" else cur
                else:
                    num = sum(f * V(plan, int(L), int(d)) for f, L, d in zip(o["freq"][sel], o["limit"][sel], o["deductible"][sel]))
                    den = sum(f * V("none", int(L), int(d)) for f, L, d in zip(o["freq"][sel], o["limit"][sel], o["deductible"][sel]))
                    m = num / den
                ex[plan] = _round(m, 3)
                record("top_up", "excess_factors", plan, s, cur, m, 1.0, ex[plan])
            values["excess"] = ex

    # Industry: the model's multipliers when it has them; otherwise it is silent (credibility 0).
    ind_model = model["frequency"].get("industry_multipliers")
    ref_ind = _base_key(top["industry_factors"], "manufacturing")
    values["industries"] = {}
    for k, cur in top["industry_factors"].items():
        if ind_model:
            m = float(ind_model.get(k, 1.0)) / float(ind_model.get(ref_ind, 1.0))
            ind, z = _round(m, 3), 1.0
        else:
            m, ind, z = float("nan"), float(cur), 0.0
        values["industries"][k] = ind
        record("top_up", "industry_factors", k, None, float(cur), m, z, ind)

    # Revenue bands, per section: the band's expected loss at the target over its exposure
    # (every other indicated factor, the multi-section factor), credibility-weighted with the
    # current relativity at the section's new level, the move capped.
    n_sections = np.zeros(len(book), dtype=np.int64)
    for s in layout["sections"]:
        n_sections += (book[s + _LIMIT].fillna(0).to_numpy() > 0)
    msf = np.array(layout["msf"])[np.clip(n_sections - 1, 0, len(layout["msf"]) - 1)]
    industry = book["industry"].astype(str).to_numpy()
    revenue_band = _band(book["revenue_yen"].to_numpy(), layout["revenue_max"])
    bands_rows = top["revenue_bands"]
    values["revenue"] = {s: [0] * len(bands_rows) for s in layout["sections"]}
    values["revenue_credibility"] = {}
    tier_rel = values["top_up_tiers"]
    for s, spec in layout["sections"].items():
        o = company_opts[s]
        k = o["keys"]
        tier = o["el"]["tier"].astype(str).to_numpy()
        exposure = (np.array([values["industries"][x] for x in industry[k]]) * np.array([tier_rel[t] for t in tier])
                    * np.array([values["sections"][s]["limits"][int(L)] for L in o["limit"]])
                    * np.array([values["sections"][s]["deductibles"][int(d)] for d in o["deductible"]])
                    * msf[k])
        if spec["excess"]:
            exposure = exposure * np.array([values["excess"][p] for p in o["plan"]])
        loss = o["el"]["expected_loss_yen"].to_numpy()
        band = revenue_band[k]
        nb = len(bands_rows)
        W = np.bincount(band, weights=exposure, minlength=nb)[:nb]
        E = np.bincount(band, weights=loss, minlength=nb)[:nb]
        N = np.bincount(band, weights=o["freq"], minlength=nb)[:nb]
        cur = np.array([float(b["base_premium_yen"][s]) for b in bands_rows])
        own = np.where(W > 0, E / targets["top_up"] / np.where(W > 0, W, 1), np.nan)
        level = np.nansum(own * W) / np.sum(cur * W)
        comp = cur * level
        z = np.minimum(1.0, np.sqrt(N / full_credibility_claims))
        blended = np.where(W > 0, z * np.nan_to_num(own) + (1 - z) * comp, comp)
        capped = np.clip(blended, comp * (1 - max_move), comp * (1 + max_move))
        capped *= np.nansum(own * W) / np.sum(capped * W)  # the capping keeps the section's level
        values["revenue"][s] = [_round_yen(x, 10) for x in capped]
        values["revenue_credibility"][s] = z
        for i in range(nb):
            record("top_up", "revenue_bands", f"<= {layout['revenue_max'][i]:,}", s, cur[i],
                   float(own[i]) if W[i] > 0 else float("nan"), float(z[i]), float(values["revenue"][s][i]))

    # Base cover per plan and employee band: the model's expected loss of the plan's limit
    # (lambda of the band, p and LEV of the response section) at the target, per month.
    lam_c = [float(x) for x in model["frequency"]["tier_c_lambda_by_employee_band"]]
    b_el = el[el["layer"].astype(str) == "base_cover"]
    b_band = _band(b_el["employees"].to_numpy(), layout["employee_max"])
    b_tier = b_el["tier"].astype(str).to_numpy()
    b_plan = b_el["bundle_plan"].astype(str).to_numpy()
    months = int(base["months_per_year"])
    base_tier = values["base_cover_tiers"]
    values["base_rates"] = {}
    labels = _employee_labels(layout["employee_max"])
    for plan, spec in base["plans"].items():
        sel = b_plan == plan
        unit = np.array([lam_c[b] for b in b_band[sel]]) * np.array([mult[t] / mult[_base_key(base["tier_factors"], "C")] for t in b_tier[sel]])
        if not sel.any():
            continue
        per_unit = b_el["expected_loss_yen"].to_numpy()[sel].sum() / unit.sum()  # p x LEV(limit)
        rates = [max(1, _round_yen(lam_c[b] * per_unit / targets["base_cover"] / months, 1)) for b in range(len(lam_c))]
        values["base_rates"][plan] = rates
        cur_rate = spec["monthly_rate"]
        for b, r in enumerate(rates):
            c = cur_rate.get("by_employee_band_yen", [None] * len(rates))[b] if "by_employee_band_yen" in cur_rate else None
            record("base_cover", "monthly_rate", f"{plan} {labels[b]}", None, float(c) if c else float("nan"),
                   lam_c[b] * per_unit / targets["base_cover"] / months, 1.0, float(r))

    # Rebalance on the engine's own prices: the multi-section factor, the minimum premium and
    # the roundings move the loss ratio off the target; scale each layer's level until it is met.
    levels: List[Dict[str, Any]] = []
    for it in range(_ITERATIONS):
        trial_engine = _apply(current, values).engine()  # alone in its engine, under the same id
        _, tel = _priced_book(trial_engine, book, answers, edition, quote_date, subsidy_program, threads)
        for layer, g in tel.groupby(tel["layer"].astype(str)):
            if layer == "base_cover":
                for plan, gp in g.groupby(g["bundle_plan"].astype(str)):
                    lr = gp["expected_loss_yen"].sum() / gp["charged_premium_yen"].sum()
                    k = lr / targets["base_cover"]
                    levels.append({"iteration": it, "layer": "base_cover", "plan": plan, "loss_ratio": lr, "level": k})
                    if it + 1 < _ITERATIONS:
                        values["base_rates"][plan] = [max(1, _round_yen(r * k, 1)) for r in values["base_rates"][plan]]
            else:
                lr = g["expected_loss_yen"].sum() / g["charged_premium_yen"].sum()
                k = lr / targets["top_up"]
                levels.append({"iteration": it, "layer": layer, "plan": None, "loss_ratio": lr, "level": k})
                if it + 1 < _ITERATIONS:
                    values["revenue"][layer] = [_round_yen(r * k, 10) for r in values["revenue"][layer]]
    factors = pd.DataFrame(rows)
    # The rebalanced base rates and revenue-band premiums are the indicated values.
    for s in layout["sections"]:
        m = (factors["factor"] == "revenue_bands") & (factors["section"] == s)
        factors.loc[m, "indicated"] = values["revenue"][s]
    for plan, rates in values["base_rates"].items():
        m = (factors["factor"] == "monthly_rate") & factors["key"].str.startswith(plan + " ")
        factors.loc[m, "indicated"] = rates
    factors["change"] = factors["indicated"] / factors["current"] - 1
    return Indication(factors, pd.DataFrame(levels), edition=edition, target_loss_ratio=targets, values=values)


def _employee_labels(maxima: Sequence[Optional[int]]) -> List[str]:
    labels, lo = [], 1
    for m in maxima:
        labels.append(f"{lo}+" if m is None else f"{lo}-{m}")
        lo = (m or 0) + 1
    return labels


def _apply(edition: Edition, values: Dict[str, Any]) -> Edition:
    out = edition.copy()
    top = out.table("top_up")
    base = out.table("base_cover")
    for t, v in values["top_up_tiers"].items():
        top["tier_factors"][t] = v
    for t, v in values["base_cover_tiers"].items():
        base["tier_factors"][t] = v
    for sec in top["sections"]:
        s = values["sections"].get(sec["key"])
        if not s:
            continue
        for r in sec["limits"]:
            r["factor"] = s["limits"][int(r["limit_yen"])]
        for r in sec["deductibles"]:
            r["factor"] = s["deductibles"][int(r["deductible_yen"])]
    if "excess" in values:
        for plan, v in values["excess"].items():
            top["excess_factors"][plan] = v
    for k, v in values["industries"].items():
        top["industry_factors"][k] = v
    for i, band in enumerate(top["revenue_bands"]):
        for s, rates in values["revenue"].items():
            band["base_premium_yen"][s] = int(rates[i])
    if values.get("minimum_premium_yen") is not None:
        top["minimum_premium_yen"] = int(values["minimum_premium_yen"])
    for plan, rates in values["base_rates"].items():
        base["plans"][plan]["monthly_rate"] = {"by_employee_band_yen": [int(r) for r in rates]}
    out.set_table("top_up", top)
    out.set_table("base_cover", base)
    return out


# ---- loss ratios along every axis -------------------------------------------------------------
def loss_ratios(
    engine: Engine,
    book: Any,
    *,
    editions: Sequence[str],
    answers: Any = None,
    quote_date: Any = None,
    subsidy_program: Optional[str] = None,
    threads: Optional[int] = None,
) -> Any:
    """The charged and the indicated premium, and their expected loss ratios, along every axis.

    Each edition prices the same book (as-if, every date unchanged); its own loss model gives
    the expected losses. The indicated premium is the expected loss at the edition's target
    loss ratio, so its loss ratio is the target; ``rate_need`` is indicated / charged - 1.

    Parameters
    ----------
    engine : Engine
        Holds every edition named.
    book : pandas.DataFrame
        The quote_frame layout.
    editions : sequence of str
        Keyword-only. Edition ids, e.g. ``["2026-12", "2027-04"]``.
    answers, quote_date, subsidy_program, threads
        Keyword-only; as in :meth:`Engine.quote_frame`.

    Returns
    -------
    pandas.DataFrame
        Index (``axis``, ``level``, ``layer``): the axes of :data:`AXES`; ``layer`` is a
        section, ``base_cover`` or ``top_up`` (the three sections together). Columns, per
        edition ``E``: ``companies``, ``expected_loss_yen[E]``,
        ``expected_loss_with_systemic_yen[E]``, ``charged_premium_yen[E]``,
        ``indicated_premium_yen[E]``, ``loss_ratio[E]`` (expected / charged),
        ``loss_ratio_with_systemic[E]``, ``target_loss_ratio[E]``, ``rate_need[E]``.
    """
    pd = _pandas()
    if not isinstance(book, pd.DataFrame):
        raise TypeError(f"book must be a pandas.DataFrame, got {type(book).__qualname__}")
    if isinstance(editions, str) or not len(editions):
        raise ValueError("editions must be a non-empty sequence of edition ids")
    book = book.reset_index(drop=True)
    pieces = []
    for ed in editions:
        _, el = _priced_book(engine, book, answers, ed, quote_date, subsidy_program, threads)
        lay = _layout(Edition.from_engine(engine, ed))
        el["size_band"] = pd.Categorical.from_codes(_band(el["employees"].to_numpy(), lay["employee_max"]),
                                                     categories=_employee_labels(lay["employee_max"]))
        keys = el["key"].to_numpy().astype(np.int64)
        layer = el["layer"].astype(str).to_numpy()
        limit = np.full(len(el), -1, dtype=np.int64)
        ded = np.full(len(el), -1, dtype=np.int64)
        for s, spec in lay["sections"].items():
            m = layer == s
            limit[m] = book[s + _LIMIT].to_numpy()[keys[m]]
            d = book[s + _DEDUCTIBLE].to_numpy()[keys[m]] if s + _DEDUCTIBLE in book.columns else np.full(m.sum(), -1)
            d = np.where(pd.isna(d), -1, d).astype(np.int64)
            ded[m] = np.where(d < 0, spec["default_deductible"], d)
        el["limit"] = [f"{s} {v:,}" if v >= 0 else "" for s, v in zip(layer, limit)]
        el["deductible"] = [f"{s} {v:,}" if v >= 0 else "" for s, v in zip(layer, ded)]
        el["with_systemic"] = el["expected_loss_yen"] + el["systemic_expected_loss_yen"]
        pieces.append((ed, el))

    out = {}
    for ed, el in pieces:
        top = el[el["layer"].astype(str) != "base_cover"].copy()
        top["layer"] = "top_up"
        frames = [el.assign(layer=el["layer"].astype(str)), top]
        both = pd.concat(frames, ignore_index=True)
        parts = []
        for axis in AXES:
            if axis == "layer":
                g = both.groupby(["layer"], observed=True)
                t = _agg(g)
                t.index = pd.MultiIndex.from_tuples([("layer", lv, lv) for lv in t.index], names=["axis", "level", "layer"])
            else:
                src = both if axis not in ("limit", "deductible") else el.assign(layer=el["layer"].astype(str))
                src = src[src[axis].astype(str) != ""] if axis in ("limit", "deductible") else src
                g = src.groupby([src[axis].astype(str), "layer"], observed=True)
                t = _agg(g)
                t.index = pd.MultiIndex.from_tuples([(axis, a, b) for a, b in t.index], names=["axis", "level", "layer"])
            parts.append(t)
        r = pd.concat(parts)
        r["loss_ratio"] = r["expected_loss_yen"] / r["charged_premium_yen"]
        r["loss_ratio_with_systemic"] = r["expected_loss_with_systemic_yen"] / r["charged_premium_yen"]
        r["target_loss_ratio"] = r["expected_loss_yen"] / r["indicated_premium_yen"]
        r["rate_need"] = r["indicated_premium_yen"] / r["charged_premium_yen"] - 1
        out[ed] = r
    companies = out[editions[0]][["companies"]]
    result = pd.concat({ed: r.drop(columns=["companies"]) for ed, r in out.items()}, axis=1)
    result.columns = [f"{c}[{ed}]" for ed, c in result.columns]
    result.insert(0, "companies", companies["companies"])
    return result


def _agg(g: Any) -> Any:
    return g.agg(companies=("row", "count"), expected_loss_yen=("expected_loss_yen", "sum"),
                 expected_loss_with_systemic_yen=("with_systemic", "sum"),
                 charged_premium_yen=("charged_premium_yen", "sum"), indicated_premium_yen=("indicated_premium_yen", "sum"))


def plot_loss_ratios(report: Any, *, editions: Sequence[str], axes_names: Sequence[str] = ("tier", "bundle_plan",
                     "size_band", "revenue_band", "industry", "layer"), layer: str = "top_up",
                     figsize: Tuple[float, float] = (12, 8)) -> Any:
    """Bar charts of the expected loss ratio of each edition along each axis (matplotlib),
    with the target as a line. `report` is :func:`loss_ratios`' frame. Returns the Figure."""
    import matplotlib.pyplot as plt

    n = len(axes_names)
    cols = 3
    fig, axs = plt.subplots(math.ceil(n / cols), cols, figsize=figsize, constrained_layout=True, squeeze=False)
    for ax, axis in zip(axs.ravel(), axes_names):
        sub = report.xs(axis, level="axis")
        if axis != "layer":
            sub = sub.xs(layer, level="layer")
        else:
            sub = sub.droplevel("layer")
        x = np.arange(len(sub))
        w = 0.8 / len(editions)
        for i, ed in enumerate(editions):
            ax.bar(x + i * w, 100 * sub[f"loss_ratio[{ed}]"], w, label=ed)
        target = sub[f"target_loss_ratio[{editions[-1]}]"]
        ax.plot(x + 0.4 - w / 2, 100 * target, "k_", markersize=14, label="target")
        ax.set_xticks(x + 0.4 - w / 2)
        ax.set_xticklabels([str(v) for v in sub.index], rotation=45, ha="right", fontsize=8)
        ax.set_title(axis if axis == "layer" else f"{layer} by {axis}")
        ax.set_ylabel("expected loss ratio (%)")
    for ax in axs.ravel()[n:]:
        ax.set_visible(False)
    axs.ravel()[0].legend(fontsize=8)
    return fig
