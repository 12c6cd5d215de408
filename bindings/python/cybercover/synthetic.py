"""Synthetic SME portfolios for benchmarks, notebooks and tests.

:func:`generate_portfolio` draws ``n`` companies that look like the participants of the
FY2020 "サイバーセキュリティお助け隊" demonstration in the Chubu region (the seed report;
``docs/domain.md`` summarises it), with their answers to the 98-item
assessment, their controls, bundle plan and top-up choices. Every row is a valid quote
request for :meth:`cybercover.Engine.quote_frame`: it never fails validation.

The generator is seeded (``numpy.random.Generator(PCG64(seed))``), vectorised (a million
rows in a few seconds) and keeps only the sampling: the item ids, points, ``allow_na``
flags and SECURITY ACTION tags, the offered limits and deductibles and the claim
frequencies come from the tables the library loaded (the edition in force on the quote
date), and the scores and the SME test of :meth:`Portfolio.describe` are the engine's. :meth:`Portfolio.describe` reports the calibration statistics actually
achieved, for comparison with :data:`TARGETS`.

Calibration (source of each figure; "report" = the seed report, N = its sample)
-------------------------------------------------------------------------------
Constants marked *solved* were found by bisection on 200,000-300,000 generated rows;
``describe()`` reports what a given portfolio actually achieved.

Assessment score
    0-300 points for **60%** of firms (report §4.3.2 (2), figure 9, N = 53). Answers follow
    an ordered-probit model: item i of firm j is ``yes`` when ``a_i + B*z_j + e_ij > 0``,
    ``partial`` when that is within ``PARTIAL_BAND`` below 0, else ``no`` or ``unknown``;
    z_j is the firm's security maturity (standard normal), e_ij standard normal noise.
    It is sampled with one uniform draw per cell against the two probit probabilities,
    tabulated on a fine grid of z (the same model, three times cheaper than normal draws).
    Items with an IPA self-check number (the basics every SME is asked about) are easier
    by ``IPA_EASE``; the common offset ``A0`` is *solved* so that 60% of scores are <= 300
    after every override below.
Antivirus
    **85%** (45 of 53) run antivirus (report §4.3.2 (2) ③, figure 12): item D02.1, the
    one-star antivirus item, effectively ``yes`` (SECURITY ACTION auto-answers counted).
    Its offset is set from ``ANTIVIRUS_ANCHOR`` (a yes probability), *solved* for 85%.
Network documented
    "fewer than 20 of 53" (report §4.3.2 (2) ②, figure 10): D18.1 anchored at 18/53 = 34%.
Incident procedure
    "nearly 80% had no set-up or procedure" (report §4.3.3 (2), figure 18): D22.1 anchored
    at 22% yes.
Items the controls decide
    A firm knows whether it has the device or service: D19.1 (security device) is ``yes``
    with any UTM, else partial 20% / no; D19.2 (UTM operated) ``yes`` when managed, no 70%
    / unknown 30% when unmanaged ("many firms bought a UTM and never operated it", §4.3.4);
    D19.5 (reads UTM reports) yes 70% / partial 30% when managed ("a lump of logs");
    D20.1 (EDR deployed) ``yes`` with an EDR on >= 90% of endpoints, else partial; D20.2
    (EDR alerts monitored) ``yes`` when managed, partial/no when self-managed; D01.3 (no
    end-of-support OS) no 70% / unknown 30% with legacy endpoints; D14.2 (phishing drills)
    yes 60% / partial 40% when a click rate was measured, else no 85% / unknown 15%.
SECURITY ACTION
    none **79%**, one-star **18%**, both stars **3%** (report §4.3.6 post-survey, figure
    31, N = 76). Drawn from a latent ``0.6*z + 0.8*noise`` so declared firms are more
    mature. A declared firm leaves each tagged item blank (auto-answered yes) with
    probability 0.60, answers it ``yes`` with 0.35 and ``partial``/``no`` with 0.05 (the
    engine's inconsistency warning); one-star firms answer the two-star items like anyone.
Industry mix
    The 76 participants: "manufacturing, construction and transport the most, over half"
    (report §3.4, figure 3; the chart's values are not in the text). Chosen:
    manufacturing 40%, construction 9%, transport 6% (55% together), wholesale 8%,
    retail 5%, restaurant 2%, accommodation 2%, services 10%, software/IT 4%,
    medical/welfare 4%, finance/insurance agency 2%, other 8%.
Size mix
    "101-200 staff is the largest band, but over half have 100 or fewer" (report §3.4,
    figure 2). Chosen: 1-20 17%, 21-50 18%, 51-100 19% (54% <= 100), 101-200 24%,
    201-300 12%, 301+ 10%; log-uniform within a band, 301+ a Pareto tail (index 2,
    at most 3,000). Size and maturity correlate (0.3: larger firms are better organised).
Capital
    "capital of ¥50M or less: 70%" (report §3.4, figure 4). log10(capital) =
    ``_CAPITAL_INTERCEPT + 0.55*log10(employees) + N(0, 0.45)``, snapped to the round
    amounts companies register (¥1M, 3M, 5M, 10M, 20M, 30M, 50M, 80M, 100M, 200M,
    300M, 500M, 1B, 3B, 10B); the intercept is *solved* for 70% <= ¥50M. Some large
    firms exceed both SME thresholds of their industry, so declines (NOT_SME) occur.
Revenue
    employees x revenue per employee of the industry x lognormal(sigma 0.5, mean 1),
    rounded to ¥1M. Revenue per employee (¥M: manufacturing 20, construction 25,
    transport 15, wholesale 60, retail 20, restaurant 5, accommodation 8, services 10,
    software 15, medical 7, finance agency 15, other 15) is an assumption of the order of
    magnitude of Japanese SME statistics, not a figure of the seed. A few percent exceed
    ¥10B and decline (REVENUE_OUT_OF_RANGE).
Endpoints
    employees x PCs per employee of the industry (``_ENDPOINTS_PER_EMPLOYEE``: 0.15 for
    restaurants ... 1.3 for software) x lognormal(sigma 0.3), rounded; a very small firm
    may have 0 (then no EDR). Assumption.
Managed UTM
    69 firms applied, 50 devices went into **48** firms (report §4.3.4 (2), table 6) ->
    managed **63%** (48/76). Of the 19 applicants without a device the main reason was
    "already has a UTM", which the report says was often never operated: with about 12
    of them and half of the 7 non-applicants owning a device, unmanaged is **20%**
    ((12 + 3)/76) and none **17%**. "Over 70% of the installing firms had <= 100
    staff" (figure 22): managed 83% of firms <= 100 staff and 40% above (70.9% of the
    managed firms are <= 100); unmanaged 10% / 32%, none 7% / 28%.
Managed EDR
    60 applied, **50** installed (report §4.3.5 (2), table 9) -> managed **66%** (50/76);
    "adoption went further among firms of 51+ staff" (figure 26): managed 55% of firms
    <= 50 staff, 73% above. Self-managed EDR is not in the report: 3% assumed (1% / 4%).
    UTM and EDR are independent given size, so about 42% have both.
    Covered endpoints: all supported endpoints for 60% of firms, else a uniform 50-100%
    share; end-of-support PCs cannot run the EDR ("the OS of the PCs was not supported"
    was a reason for not installing), so covered <= endpoints - legacy (no EDR when
    nothing is left). A managed EDR was installed 0-29 days before the quote date
    (learning period) for 10% of firms, else 30-1,095 days.
Legacy OS
    "some PCs ran unsupported OSes"; a Windows XP PC made C&C call-backs (§4.3.4-4.3.5):
    5% of firms (7% of manufacturers, whose factory PCs age; 1% of software firms;
    fewer among mature firms) have 1 + Poisson(0.5) such endpoints.
Bundle plan
    Consistent with the controls (docs/rating_rules.md §4): managed UTM and EDR -> utm_edr 85%,
    utm 8%, edr 7%; only a managed UTM -> utm 90% (else none: the service was bought
    outside the bundle); only a managed EDR -> edr 90%; neither -> none.
Service price
    Given for 60% of plans. UTM: "under ¥10,000 a month" for about 90% of answers
    (report §5.3, figure 54): ¥5,000-9,800 for 90%, ¥12,000-30,000 for 10%. EDR: "under
    ¥1,000 per device a month" the most common known answer (figure 55): ¥500/800/1,000
    per covered endpoint for 80%, ¥1,500/2,000/2,500 for 20%. utm_edr: the sum.
Phishing drill
    51 of 76 firms ran the drill (report §4.3.3 (2)) -> click rate measured for 67%.
    Clicks ~ Binomial(recipients, p_j), p_j ~ Beta (concentration 6) around a mean whose
    logit falls with log(recipients) (slope -0.62) and with maturity (-0.4), so that the
    rate averaged by company is **29%**, and about 14% for 10+ recipients and 5% for 100+
    (report table 5: 29% / 15% / 5%; by mails sent 7%, here about 8%); the intercept is
    *solved* for 29%. The drill usually went to part of the staff: recipients =
    employees x Beta(0.6, 1.4). Mature firms (who more often have e-mail rules) click
    less ("firms with e-mail rules clicked clearly less", figure 17).
Prior incidents
    About **23%** of SMEs had damage in a year (2024 SME survey, n = 4,191; DOMAIN.md).
    Firm j's yearly incident rate is the loss model's tier-C frequency for its size band
    (loss_model.json) x ``exp(-0.5*z_j - 0.125)`` (mature firms have fewer) x
    ``INCIDENT_SCALE``, *solved* so that the mean of P(at least one incident in a year) is
    23%; ``incidents_3y`` ~ Poisson(3 x rate). About half the firms then report at least
    one incident in three years and a fifth two or more (refer: PRIOR_INCIDENTS).
Cyber insurance and top-up
    "Do you have cyber insurance?" (report §6.1.2, figure 59, N = 51): insured 10%, want
    to consider it 6%, maybe in future 61%, no intention 23%. A firm quotes a top-up
    unless it has no intention (77% do). Insured and considering firms (16/77 of them)
    take all three sections; the others liability 85%, response 75%, interruption 45%
    (at least one). Limits rise with revenue (an index around
    ``0.15 + 0.12*log10(revenue/¥50M)`` of the offered list, +-0.8 rows of noise);
    deductibles are left to the default for 60%, else any offered amount.
Other
    Rubber products: 3% of manufacturers (assumption). Answers ``unknown``: each firm
    has a propensity ~ Beta(0.6, 7) (mean 8%) of answering a missed item "unknown"; 2% of
    firms stop filling in the sheet part-way (the rest unanswered, counted as unknown).
    ``na`` on items that allow it with probability 0.25 (no web shop, no remote work, ...).

Examples
--------
>>> from cybercover.synthetic import generate_portfolio
>>> p = generate_portfolio(1000, seed=7)
>>> p.frame.shape[0], p.answers.shape
(1000, (1000, 98))
>>> round(p.describe()["score_share_0_300"], 2)  # doctest: +SKIP
0.6
"""

from __future__ import annotations

import datetime as _dt
import math
import os
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Tuple, Union

import numpy as np
import pandas as pd

__all__ = ["Portfolio", "generate_portfolio", "TARGETS", "ANSWER_CODES",
           "INDUSTRIES", "SECURITY_ACTIONS", "UTM_STATUSES", "EDR_STATUSES", "BUNDLE_PLANS"]

# ---------------------------------------------------------------------------------------
# Codes and categories of the DataFrame contract (the engine's enum order).
ANSWER_CODES = {"unanswered": 0, "yes": 1, "partial": 2, "no": 3, "unknown": 4, "na": 5}
INDUSTRIES = ("manufacturing", "construction", "transport_logistics", "wholesale", "retail",
              "restaurant", "accommodation", "services", "software_it", "medical_welfare",
              "finance_insurance_agency", "other")
SECURITY_ACTIONS = ("none", "one_star", "two_star")
UTM_STATUSES = ("none", "unmanaged", "managed")
EDR_STATUSES = ("none", "self_managed", "managed")
BUNDLE_PLANS = ("none", "utm", "edr", "utm_edr")
TOP_UP_SECTIONS = ("liability", "response", "interruption")

_YES, _PARTIAL, _NO, _UNKNOWN, _NA = 1, 2, 3, 4, 5

# The report's figures that describe() is compared with (see the module docstring).
TARGETS: Dict[str, float] = {
    "score_share_0_300": 0.60,
    "security_action_none": 0.79,
    "security_action_one_star": 0.18,
    "security_action_two_star": 0.03,
    "antivirus_yes": 0.85,
    "network_documented_yes": 18 / 53,
    "incident_procedure_yes": 0.22,
    "utm_managed": 48 / 76,
    "edr_managed": 50 / 76,
    "employees_le_100": 0.54,
    "capital_le_50m": 0.70,
    "manufacturing_construction_transport": 0.55,
    "phishing_measured": 51 / 76,
    "click_rate_mean_by_company": 0.29,
    "click_rate_mean_10plus_recipients": 0.15,
    "click_rate_mean_100plus_recipients": 0.05,
    "incident_in_a_year": 0.23,
    "top_up_selected": 0.77,
}

# ---------------------------------------------------------------------------------------
# Model constants (see the module docstring for their sources).
_INDUSTRY_SHARES = (0.40, 0.09, 0.06, 0.08, 0.05, 0.02, 0.02, 0.10, 0.04, 0.04, 0.02, 0.08)
_REVENUE_PER_EMPLOYEE_M = (20, 25, 15, 60, 20, 5, 8, 10, 15, 7, 15, 15)
_ENDPOINTS_PER_EMPLOYEE = (0.6, 0.7, 0.35, 0.9, 0.4, 0.15, 0.3, 0.9, 1.3, 0.5, 1.1, 0.7)
_LEGACY_SHARE = (0.07, 0.05, 0.05, 0.04, 0.04, 0.04, 0.04, 0.04, 0.01, 0.05, 0.03, 0.05)
# Employee bands: (low, high, share); the last one is a Pareto tail from `low`.
_SIZE_BANDS = ((1, 20, 0.17), (21, 50, 0.18), (51, 100, 0.19), (101, 200, 0.24),
               (201, 300, 0.12), (301, 3000, 0.10))
_PARETO_INDEX = 2.0
_SIZE_MATURITY_CORRELATION = 0.3
_CAPITAL_GRID_YEN = np.array([1, 3, 5, 10, 20, 30, 50, 80, 100, 200, 300, 500, 1_000, 3_000,
                              10_000], dtype=np.int64) * 1_000_000
_CAPITAL_INTERCEPT = 6.488  # log10 yen; solved for 70% <= ¥50M
_CAPITAL_SLOPE = 0.55
_CAPITAL_SIGMA = 0.45
_RUBBER_SHARE_OF_MANUFACTURING = 0.03

# Ordered-probit answers.
B = 1.1                # weight of the firm's maturity
PARTIAL_BAND = 0.45    # latent values in (-PARTIAL_BAND, 0] answer "partial"
IPA_EASE = 0.8         # items with an IPA self-check number are this much easier
A0 = -1.521            # common item offset; solved for 60% of scores <= 300
ANTIVIRUS_ANCHOR = 0.8527  # D02.1's offset as a yes probability; solved for 85% overall
NETWORK_DOCUMENTED = 18 / 53
INCIDENT_PROCEDURE = 0.22
_NA_PROBABILITY = 0.25
_UNKNOWN_BETA = (0.6, 7.0)
_STOPPED_EARLY = 0.02

# SECURITY ACTION: latent thresholds for 79% none, 3% two-star.
_SA_NONE, _SA_TWO_STAR = 0.79, 0.97
_SA_BLANK, _SA_YES = 0.60, 0.35   # else an explicit partial/no (inconsistent)

# Controls by size (<= threshold, above).
_UTM_SPLIT_EMPLOYEES = 100
_UTM_SHARES = {"le": (0.07, 0.10, 0.83), "gt": (0.28, 0.32, 0.40)}  # none, unmanaged, managed
_EDR_SPLIT_EMPLOYEES = 50
_EDR_SHARES = {"le": (0.44, 0.01, 0.55), "gt": (0.23, 0.04, 0.73)}  # none, self, managed
_EDR_FULL_COVERAGE = 0.60
_EDR_LEARNING_SHARE = 0.10
_EDR_MAX_DAYS = 1095

_PLAN_BOTH = (0.0, 0.08, 0.07, 0.85)  # none, utm, edr, utm_edr
_PLAN_ONE = 0.90
_SERVICE_PRICE_GIVEN = 0.60

_PHISHING_MEASURED = 51 / 76
_CLICK_SHARE_BETA = (0.6, 1.4)
_CLICK_LOGIT_INTERCEPT = 0.366
_CLICK_LOGIT_LOG_RECIPIENTS = -0.62
_CLICK_LOGIT_MATURITY = -0.4
_CLICK_CONCENTRATION = 6.0

_INCIDENT_YEAR_TARGET = 0.23
INCIDENT_SCALE = 1.169  # solved so that mean P(incident in a year) = 23%

_INSURED, _CONSIDERING, _FUTURE = 0.10, 0.06, 0.61   # report figure 59
_SECTION_SHARES = (0.85, 0.75, 0.45)
_DEFAULT_DEDUCTIBLE_SHARE = 0.60

_CHUNK_ROWS = 65536
_Z_GRID = 4097


# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Edition:
    """What the generator reads from one edition: the library's own loaded tables."""

    edition: str
    engine: Any                 # the cybercover.Engine that loaded it (scores and SME test)
    item_ids: Tuple[str, ...]
    points: np.ndarray          # int64, per item
    allow_na: np.ndarray        # bool
    tag: np.ndarray             # int8: 0 none, 1 one_star, 2 two_star
    ipa: np.ndarray             # bool: has an IPA self-check number
    limits: Dict[str, Tuple[int, ...]]
    deductibles: Dict[str, Tuple[int, ...]]
    lambda_by_band: Tuple[float, ...]
    lambda_band_max: Tuple[Optional[int], ...]


def _load_edition(engine: Any, day: _dt.date) -> _Edition:
    from . import _core

    number = (day - _dt.date(1970, 1, 1)).days
    for layout in _core._portfolio_editions(engine):
        if layout["from_day"] <= number and (layout["to_day"] is None or number <= layout["to_day"]):
            break
    else:
        raise ValueError(f"no edition of the engine is in force on {day.isoformat()}")
    missing = [key for key in INDUSTRIES if key not in layout["industries"]]
    if missing or any(s not in layout["sections"] for s in TOP_UP_SECTIONS):
        raise ValueError(f"edition {layout['edition']} lacks the industries or sections the generator is "
                         f"calibrated for: {missing or [s for s in TOP_UP_SECTIONS if s not in layout['sections']]}")
    items = layout["items"]
    tag_code = {"none": 0, "one_star": 1, "two_star": 2}
    return _Edition(
        edition=layout["edition"],
        engine=engine,
        item_ids=tuple(it["id"] for it in items),
        points=np.array([it["points"] for it in items], dtype=np.int64),
        allow_na=np.array([bool(it["allow_na"]) for it in items]),
        tag=np.array([tag_code[it["security_action"]] for it in items], dtype=np.int8),
        ipa=np.array([it["ipa_no"] is not None for it in items]),
        limits={k: tuple(v["limits"]) for k, v in layout["sections"].items()},
        deductibles={k: tuple(v["deductibles"]) for k, v in layout["sections"].items()},
        lambda_by_band=tuple(layout["frequency_by_employee_band"]),
        lambda_band_max=tuple(layout["employee_band_max"]),
    )


# ---------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Portfolio:
    """A synthetic portfolio: the quote_frame input and its answers matrix.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per company in the DataFrame contract of ``Engine.quote_frame`` (string
        columns as Categoricals, dates as datetime64, money and counts as int64).
    answers : numpy.ndarray
        ``uint8`` C-contiguous ``n x items`` answer codes (0 unanswered, 1 yes, 2 partial,
        3 no, 4 unknown, 5 na) in questionnaire order.
    quote_date : str
        The quote date of every row (also the ``quote_date`` column).
    seed : int
        The seed it was generated with.
    edition : str
        The edition whose questionnaire and tables were used.
    item_ids : tuple of str
        The questionnaire item ids, in column order of ``answers``.
    """

    frame: pd.DataFrame
    answers: np.ndarray
    quote_date: str
    seed: int
    edition: str
    item_ids: Tuple[str, ...]
    _edition: _Edition = field(repr=False)
    _recipients: np.ndarray = field(repr=False)  # phishing-drill recipients (0 = no drill)
    _incident_rate: np.ndarray = field(repr=False)  # expected incidents per year, by firm

    def __len__(self) -> int:
        return len(self.frame)

    def __repr__(self) -> str:
        return (f"Portfolio(rows={len(self.frame)}, seed={self.seed}, "
                f"quote_date={self.quote_date!r}, edition={self.edition!r})")

    def scores(self) -> np.ndarray:
        """Return each row's assessment score (0-1000), computed by the engine."""
        return _scored(self._edition, self.answers, self.frame["security_action"].cat.codes.to_numpy(),
                       self.quote_date)["score"]

    def request(self, row: int, *, subsidy_program: Optional[str] = None) -> Dict[str, Any]:
        """Return row ``row`` as a JSON quote request (docs/request_contract.md) for ``Engine.quote``."""
        r = self.frame.iloc[row]
        answers = {}
        names = {v: k for k, v in ANSWER_CODES.items()}
        for item, code in zip(self.item_ids, self.answers[row]):
            if code:
                answers[item] = names[int(code)]
        edr: Dict[str, Any] = {"status": str(r["edr_status"])}
        if r["edr_status"] != "none":
            edr["covered_endpoints"] = int(r["edr_covered_endpoints"])
        if not pd.isna(r["edr_installed_on"]):
            edr["installed_on"] = pd.Timestamp(r["edr_installed_on"]).date().isoformat()
        controls: Dict[str, Any] = {
            "utm": str(r["utm"]), "edr": edr,
            "legacy_os_endpoints": int(r["legacy_os_endpoints"]),
            "incidents_3y": int(r["incidents_3y"]),
        }
        if not math.isnan(r["phishing_click_rate"]):
            controls["phishing_click_rate"] = float(r["phishing_click_rate"])
        request: Dict[str, Any] = {
            "quote_date": pd.Timestamp(r["quote_date"]).date().isoformat(),
            "company": {
                "industry": str(r["industry"]), "employees": int(r["employees"]),
                "capital_yen": int(r["capital_yen"]), "revenue_yen": int(r["revenue_yen"]),
                "endpoints": int(r["endpoints"]), "rubber_products": bool(r["rubber_products"]),
            },
            "security_action": str(r["security_action"]),
            "answers": answers,
            "controls": controls,
            "bundle_plan": str(r["bundle_plan"]),
        }
        top_up = {}
        for s in TOP_UP_SECTIONS:
            limit = int(r[f"{s}_limit_yen"])
            if limit:
                cover = {"limit_yen": limit}
                deductible = int(r[f"{s}_deductible_yen"])
                if deductible >= 0:
                    cover["deductible_yen"] = deductible
                top_up[s] = cover
        if top_up:
            request["top_up"] = top_up
        if r["service_monthly_price_yen"] >= 0:
            request["service_monthly_price_yen"] = int(r["service_monthly_price_yen"])
        if subsidy_program is not None:
            request["subsidy_program"] = subsidy_program
        return request

    def describe(self) -> Dict[str, Any]:
        """Return the calibration statistics achieved (compare with :data:`TARGETS`).

        Returns
        -------
        dict
            Shares are fractions of all rows unless the key says otherwise; see the module
            docstring for the report figure behind each one.
        """
        f, e, n = self.frame, self._edition, len(self.frame)
        out: Dict[str, Any] = {"rows": n, "seed": self.seed, "edition": self.edition}
        if n == 0:
            return out
        sa = f["security_action"].cat.codes.to_numpy()
        scored = _scored(e, self.answers, sa, self.quote_date)
        eff, score = scored["effective"], scored["score"]
        col = {item: i for i, item in enumerate(self.item_ids)}

        def yes_share(item: str) -> float:
            return float(np.mean(eff[:, col[item]] == _YES)) if item in col else float("nan")

        unknown = scored["unknown_count"]
        out.update({
            "score_share_0_300": float(np.mean(score <= 300)),
            "score_mean": float(score.mean()),
            "score_quartiles": [int(v) for v in np.percentile(score, [25, 50, 75])],
            "score_share_above_600": float(np.mean(score > 600)),
            "antivirus_yes": yes_share("D02.1"),
            "network_documented_yes": yes_share("D18.1"),
            "incident_procedure_yes": yes_share("D22.1"),
            "email_rules_yes": yes_share("D06.1"),
            "unknown_count_mean": float(unknown.mean()),
            "unknown_count_ge_20": float(np.mean(unknown >= 20)),
        })
        for key in SECURITY_ACTIONS:
            out[f"security_action_{key}"] = float(np.mean(f["security_action"] == key))
        for key in INDUSTRIES:
            out[f"industry_{key}"] = float(np.mean(f["industry"] == key))
        out["manufacturing_construction_transport"] = float(
            f["industry"].isin(["manufacturing", "construction", "transport_logistics"]).mean())
        emp = f["employees"].to_numpy()
        for lo, hi, _ in _SIZE_BANDS:
            label = f"employees_{lo}_{hi}" if hi < _SIZE_BANDS[-1][1] else f"employees_{lo}_plus"
            out[label] = float(np.mean((emp >= lo) & (emp <= hi)))
        out["employees_le_100"] = float(np.mean(emp <= 100))
        cap = f["capital_yen"].to_numpy()
        rev = f["revenue_yen"].to_numpy()
        out["capital_le_50m"] = float(np.mean(cap <= 50_000_000))
        out["revenue_median_yen"] = int(np.median(rev))
        priced = e.engine.quote_frame(f, answers=self.answers, errors="collect")
        out["sme"] = float(priced["is_sme"].mean())
        out["revenue_above_max"] = float((priced["decision_codes"].fillna("").str.contains("REVENUE_OUT_OF_RANGE")).mean())
        out["rubber_products"] = float(f["rubber_products"].mean())
        for key in UTM_STATUSES:
            out[f"utm_{key}"] = float(np.mean(f["utm"] == key))
        for key in EDR_STATUSES:
            out[f"edr_{key}"] = float(np.mean(f["edr_status"] == key))
        managed = f["edr_status"] == "managed"
        days = (pd.Timestamp(self.quote_date) - f["edr_installed_on"][managed]).dt.days
        out["edr_learning_share_of_managed"] = float((days < 30).mean()) if managed.any() else 0.0
        for key in BUNDLE_PLANS:
            out[f"plan_{key}"] = float(np.mean(f["bundle_plan"] == key))
        out["service_price_given"] = float(np.mean(f["service_monthly_price_yen"] >= 0))
        out["legacy_os"] = float(np.mean(f["legacy_os_endpoints"] >= 1))
        rate = f["phishing_click_rate"].to_numpy()
        measured = ~np.isnan(rate)
        rec = self._recipients
        out["phishing_measured"] = float(measured.mean())
        out["click_rate_mean_by_company"] = float(rate[measured].mean()) if measured.any() else 0.0
        for k in (10, 100):
            sel = measured & (rec >= k)
            out[f"click_rate_mean_{k}plus_recipients"] = float(rate[sel].mean()) if sel.any() else 0.0
        out["click_rate_by_mails_sent"] = (float((rate[measured] * rec[measured]).sum()
                                                / rec[measured].sum()) if measured.any() else 0.0)
        out["phishing_low_le_0_05"] = float(np.mean(measured & (rate <= 0.05)))
        out["phishing_high_above_0_15"] = float(np.mean(measured & (rate > 0.15)))
        inc = f["incidents_3y"].to_numpy()
        out["incident_in_a_year"] = float(np.mean(1 - np.exp(-self._incident_rate)))
        out["incidents_3y_ge_1"] = float(np.mean(inc >= 1))
        out["incidents_3y_ge_2"] = float(np.mean(inc >= 2))
        limits = np.stack([f[f"{s}_limit_yen"].to_numpy() for s in TOP_UP_SECTIONS])
        selected = (limits > 0).any(axis=0)
        out["top_up_selected"] = float(selected.mean())
        for s, lim in zip(TOP_UP_SECTIONS, limits):
            out[f"top_up_{s}"] = float(np.mean(lim > 0))
        out["top_up_sections_mean_when_selected"] = (
            float((limits > 0).sum(axis=0)[selected].mean()) if selected.any() else 0.0)
        return out


# ---------------------------------------------------------------------------------------
def _scored(e: _Edition, answers: np.ndarray, sa: np.ndarray, quote_date: str) -> Dict[str, np.ndarray]:
    """The engine's own scoring: score, unknown count and the effective answers per row."""
    from . import _core

    return _core._score_matrix(e.engine, np.ascontiguousarray(answers, dtype=np.uint8),
                               np.asarray(sa, dtype=np.uint8), quote_date)


def _norm_ppf(p: float) -> float:
    """Return the standard normal quantile (Acklam's rational approximation, |error| < 1e-9)."""
    a = (-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
         1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00)
    b = (-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
         6.680131188771972e+01, -1.328068155288572e+01)
    c = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
         -2.549671010229528e+00, 4.374664141464968e+00, 2.938163982698783e+00)
    d = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
         3.754408661907416e+00)
    if p < 0.02425:
        q = math.sqrt(-2 * math.log(p))
        return (((((c[0]*q+c[1])*q+c[2])*q+c[3])*q+c[4])*q+c[5]) / ((((d[0]*q+d[1])*q+d[2])*q+d[3])*q+1)
    if p > 1 - 0.02425:
        return -_norm_ppf(1 - p)
    q = p - 0.5
    r = q * q
    return (((((a[0]*r+a[1])*r+a[2])*r+a[3])*r+a[4])*r+a[5])*q / (((((b[0]*r+b[1])*r+b[2])*r+b[3])*r+b[4])*r+1)


def _norm_cdf(x: np.ndarray) -> np.ndarray:
    """Return the standard normal CDF (Abramowitz-Stegun 7.1.26, |error| < 1e-7)."""
    y = np.abs(x) / math.sqrt(2.0)
    t = 1.0 / (1.0 + 0.3275911 * y)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    half_erfc = 0.5 * poly * np.exp(-y * y)
    return np.where(x >= 0, 1.0 - half_erfc, half_erfc)


def _choice(rng: np.random.Generator, n: int, probs) -> np.ndarray:
    """Return n draws of 0..k-1 with the given probabilities (vectorised inverse CDF)."""
    cdf = np.cumsum(np.asarray(probs, dtype=np.float64))
    cdf /= cdf[-1]
    return np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), len(cdf) - 1)


def _rows_choice(u: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Return per-row draws of 0..k-1 from per-row probabilities (n x k) and uniforms u."""
    cdf = np.cumsum(probs, axis=1)
    return np.minimum((u[:, None] >= cdf).sum(axis=1), probs.shape[1] - 1)


# ---------------------------------------------------------------------------------------
def generate_portfolio(n: int, *, seed: int, quote_date: Union[str, _dt.date] = "2026-12-15",
                       tables_dir: Union[str, os.PathLike, None] = None, engine: Any = None) -> Portfolio:
    """Generate ``n`` synthetic SME quote requests calibrated to the seed report.

    Parameters
    ----------
    n : int
        Number of companies (rows), at least 0.
    seed : int
        Seed of ``numpy.random.Generator(PCG64(seed))``: the same seed, ``n``, quote date
        and tables give the same portfolio.
    quote_date : str or datetime.date, default "2026-12-15"
        The quote date of every row; picks the edition whose questionnaire and top-up
        table are used.
    tables_dir : path, optional
        A rating-tables directory (one sub-directory per edition, or one edition
        directory); default: the tables shipped with the package.
    engine : cybercover.Engine, optional
        The engine whose loaded tables the generator reads (instead of ``tables_dir``):
        item ids, points, tags, limits and frequencies come from the library itself.

    Returns
    -------
    Portfolio
        ``frame`` (the quote_frame input) and ``answers`` (``uint8``, ``n x items``).

    Examples
    --------
    >>> p = generate_portfolio(10_000, seed=1)
    >>> quotes = engine.quote_frame(p.frame, answers=p.answers)   # doctest: +SKIP
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"n must be an integer >= 0, got {n!r}")
    day = quote_date if isinstance(quote_date, _dt.date) else _dt.date.fromisoformat(str(quote_date))
    if engine is None:
        from ._core import Engine
        engine = Engine(tables_dir)
    elif tables_dir is not None:
        raise ValueError("give tables_dir or engine, not both")
    e = _load_edition(engine, day)
    rng = np.random.Generator(np.random.PCG64(seed))
    n = int(n)

    # --- company ----------------------------------------------------------------------
    industry = _choice(rng, n, _INDUSTRY_SHARES).astype(np.int8)
    band = _choice(rng, n, [s for _, _, s in _SIZE_BANDS])
    lo = np.array([b[0] for b in _SIZE_BANDS], dtype=np.float64)[band]
    hi = np.array([b[1] for b in _SIZE_BANDS], dtype=np.float64)[band]
    u = rng.random(n)
    log_uniform = np.exp(np.log(lo) + u * (np.log(hi + 1) - np.log(lo)))
    tail = band == len(_SIZE_BANDS) - 1
    pareto = lo * (1 - u) ** (-1 / _PARETO_INDEX)
    employees = np.where(tail, np.minimum(pareto, hi), log_uniform)
    employees = np.clip(np.floor(employees), lo, hi).astype(np.int64)

    log_emp = np.log(employees)
    spread = float(log_emp.std()) if n > 1 else 0.0
    std_log_emp = (log_emp - log_emp.mean()) / spread if spread > 0 else np.zeros(n)
    rho = _SIZE_MATURITY_CORRELATION
    z = rho * std_log_emp + math.sqrt(1 - rho * rho) * rng.standard_normal(n)

    log_cap = (_CAPITAL_INTERCEPT + _CAPITAL_SLOPE * np.log10(employees)
               + _CAPITAL_SIGMA * rng.standard_normal(n))
    grid = np.log10(_CAPITAL_GRID_YEN.astype(np.float64))
    nearest = np.abs(log_cap[:, None] - grid[None, :]).argmin(axis=1)
    capital = _CAPITAL_GRID_YEN[nearest]

    rpe = np.array(_REVENUE_PER_EMPLOYEE_M, dtype=np.float64)[industry]
    revenue_m = np.rint(employees * rpe * np.exp(0.5 * rng.standard_normal(n) - 0.125))
    revenue = np.maximum(revenue_m, 1).astype(np.int64) * 1_000_000

    epe = np.array(_ENDPOINTS_PER_EMPLOYEE)[industry]
    endpoints = np.rint(employees * epe * np.exp(0.3 * rng.standard_normal(n))).astype(np.int64)
    endpoints = np.maximum(endpoints, 0)

    rubber = (industry == INDUSTRIES.index("manufacturing")) & (
        rng.random(n) < _RUBBER_SHARE_OF_MANUFACTURING)

    # --- SECURITY ACTION ----------------------------------------------------------------
    s = 0.6 * z + 0.8 * rng.standard_normal(n)
    sa = np.where(s > _norm_ppf(_SA_TWO_STAR), 2, np.where(s > _norm_ppf(_SA_NONE), 1, 0)).astype(np.int8)

    # --- legacy OS ----------------------------------------------------------------------
    p_legacy = np.array(_LEGACY_SHARE)[industry] * np.exp(-0.4 * z - 0.08)
    has_legacy = (rng.random(n) < p_legacy) & (endpoints >= 1)
    legacy = np.where(has_legacy, np.minimum(1 + rng.poisson(0.5, n), endpoints), 0).astype(np.int64)

    # --- UTM and EDR --------------------------------------------------------------------
    utm_p = np.where((employees <= _UTM_SPLIT_EMPLOYEES)[:, None],
                     np.array(_UTM_SHARES["le"])[None, :], np.array(_UTM_SHARES["gt"])[None, :])
    utm = _rows_choice(rng.random(n), utm_p).astype(np.int8)
    edr_p = np.where((employees <= _EDR_SPLIT_EMPLOYEES)[:, None],
                     np.array(_EDR_SHARES["le"])[None, :], np.array(_EDR_SHARES["gt"])[None, :])
    edr = _rows_choice(rng.random(n), edr_p).astype(np.int8)
    supported = endpoints - legacy
    edr[supported < 1] = 0  # nothing the EDR can run on
    share = np.where(rng.random(n) < _EDR_FULL_COVERAGE, 1.0, rng.uniform(0.5, 1.0, n))
    covered = np.clip(np.floor(share * supported), 1, None).astype(np.int64)
    covered = np.where(edr > 0, np.minimum(covered, supported), 0)
    learning = rng.random(n) < _EDR_LEARNING_SHARE
    days = np.where(learning, rng.integers(0, 30, n), rng.integers(30, _EDR_MAX_DAYS + 1, n))
    qday = np.datetime64(day.isoformat(), "D")
    installed = np.where(edr == 2, qday - days.astype("timedelta64[D]"), np.datetime64("NaT", "D"))

    # --- bundle plan and service price ---------------------------------------------------
    u_plan = rng.random(n)
    both = (utm == 2) & (edr == 2)
    plan = np.zeros(n, dtype=np.int8)
    plan[both] = _rows_choice(u_plan[both], np.tile(_PLAN_BOTH, (int(both.sum()), 1)))
    only_utm = (utm == 2) & (edr != 2)
    only_edr = (edr == 2) & (utm != 2)
    plan[only_utm & (u_plan < _PLAN_ONE)] = 1
    plan[only_edr & (u_plan < _PLAN_ONE)] = 2
    utm_price = np.where(rng.random(n) < 0.9,
                         rng.choice(np.array([5000, 6000, 7000, 8000, 9000, 9800]), n),
                         rng.choice(np.array([12000, 15000, 20000, 30000]), n))
    per_device = np.where(rng.random(n) < 0.8, rng.choice(np.array([500, 800, 1000]), n),
                          rng.choice(np.array([1500, 2000, 2500]), n))
    price = np.select([plan == 1, plan == 2, plan == 3],
                      [utm_price, per_device * covered, utm_price + per_device * covered], -1)
    price = np.where((plan > 0) & (rng.random(n) < _SERVICE_PRICE_GIVEN), price, -1).astype(np.int64)

    # --- phishing drill -----------------------------------------------------------------
    measured = rng.random(n) < _PHISHING_MEASURED
    recipients = np.maximum(1, np.rint(employees * rng.beta(*_CLICK_SHARE_BETA, n))).astype(np.int64)
    logit = (_CLICK_LOGIT_INTERCEPT + _CLICK_LOGIT_LOG_RECIPIENTS * np.log(recipients)
             + _CLICK_LOGIT_MATURITY * z)
    mean_p = 1 / (1 + np.exp(-logit))
    p_click = rng.beta(mean_p * _CLICK_CONCENTRATION, (1 - mean_p) * _CLICK_CONCENTRATION)
    clicks = rng.binomial(recipients, p_click)
    click_rate = np.where(measured, clicks / recipients, np.nan)
    recipients = np.where(measured, recipients, 0)

    # --- prior incidents ----------------------------------------------------------------
    band_max = [m if m is not None else np.iinfo(np.int64).max for m in e.lambda_band_max]
    size_band = np.searchsorted(np.array(band_max[:-1]), employees, side="left")
    lam = (INCIDENT_SCALE * np.array(e.lambda_by_band)[size_band] * np.exp(-0.5 * z - 0.125))
    incidents = rng.poisson(3 * lam).astype(np.int64)

    # --- top-up -------------------------------------------------------------------------
    attitude = _choice(rng, n, [_INSURED, _CONSIDERING, _FUTURE, 1 - _INSURED - _CONSIDERING - _FUTURE])
    wants = attitude < 3
    all_three = attitude < 2
    picks = np.stack([rng.random(n) < p for p in _SECTION_SHARES])
    picks[0] |= ~picks.any(axis=0)
    picks = (picks | all_three[None, :]) & wants[None, :]
    centre = np.clip(0.15 + 0.12 * np.log10(revenue / 5e7), 0.0, 1.0)
    limit_cols, deductible_cols = {}, {}
    for k, sec in enumerate(TOP_UP_SECTIONS):
        offered = np.array(e.limits[sec], dtype=np.int64)
        idx = np.clip(np.rint(centre * (len(offered) - 1) + 0.8 * rng.standard_normal(n)),
                      0, len(offered) - 1).astype(np.int64)
        limit_cols[sec] = np.where(picks[k], offered[idx], 0)
        deds = np.array(e.deductibles[sec], dtype=np.int64)
        explicit = deds[rng.integers(0, len(deds), n)]
        deductible_cols[sec] = np.where(picks[k] & (rng.random(n) >= _DEFAULT_DEDUCTIBLE_SHARE),
                                        explicit, -1)

    # --- answers ------------------------------------------------------------------------
    answers = _answers(rng, e, z, sa, utm, edr, covered, endpoints, legacy, measured)

    frame = pd.DataFrame({
        "quote_date": pd.Series(np.full(n, qday), dtype="datetime64[ns]"),
        "industry": pd.Categorical.from_codes(industry, INDUSTRIES),
        "employees": employees,
        "capital_yen": capital,
        "revenue_yen": revenue,
        "endpoints": endpoints,
        "rubber_products": rubber,
        "security_action": pd.Categorical.from_codes(sa, SECURITY_ACTIONS),
        "utm": pd.Categorical.from_codes(utm, UTM_STATUSES),
        "edr_status": pd.Categorical.from_codes(edr, EDR_STATUSES),
        "edr_covered_endpoints": covered.astype(np.int64),
        "edr_installed_on": pd.Series(installed, dtype="datetime64[ns]"),
        "legacy_os_endpoints": legacy,
        "phishing_click_rate": click_rate.astype(np.float64),
        "incidents_3y": incidents,
        "bundle_plan": pd.Categorical.from_codes(plan, BUNDLE_PLANS),
        "service_monthly_price_yen": price,
        **{f"{s}_limit_yen": limit_cols[s].astype(np.int64) for s in TOP_UP_SECTIONS},
        **{f"{s}_deductible_yen": deductible_cols[s].astype(np.int64) for s in TOP_UP_SECTIONS},
    })
    return Portfolio(frame=frame, answers=answers, quote_date=day.isoformat(), seed=int(seed),
                     edition=e.edition, item_ids=e.item_ids, _edition=e, _recipients=recipients,
                     _incident_rate=lam)


def _answers(rng: np.random.Generator, e: _Edition, z, sa, utm, edr, covered, endpoints,
             legacy, measured) -> np.ndarray:
    """Draw the answer sheet (see the module docstring), chunk by chunk."""
    n, m = len(z), len(e.item_ids)
    col = {item: i for i, item in enumerate(e.item_ids)}
    scale = math.sqrt(1 + B * B)
    a = (A0 + IPA_EASE * e.ipa).astype(np.float32)
    anchored = {"D02.1": ANTIVIRUS_ANCHOR, "D18.1": NETWORK_DOCUMENTED,
                "D22.1": INCIDENT_PROCEDURE}
    for item, p in anchored.items():
        if item in col:
            a[col[item]] = _norm_ppf(p) * scale
    unknown_rate = rng.beta(*_UNKNOWN_BETA, n).astype(np.float32)
    stops = rng.random(n) < _STOPPED_EARLY
    stop_at = np.where(stops, rng.integers(m // 3, m, n), m)
    out = np.empty((n, m), dtype=np.uint8)
    na_cols = np.flatnonzero(e.allow_na)
    # P(yes) = Phi(a_i + B z) and P(yes or partial) = Phi(a_i + PARTIAL_BAND + B z), tabulated
    # on a grid of z (step 12/4096: far finer than the model needs), so that each cell costs
    # one uniform draw: yes when u < P(yes), partial when u < P(yes or partial), else "no";
    # the same u, rescaled within the "no" interval, decides "unknown" at the firm's rate.
    grid = np.linspace(-6.0, 6.0, _Z_GRID)
    phi = _norm_cdf
    t_yes = phi(a[None, :] + B * grid[:, None]).astype(np.float32)
    t_partial = phi(a[None, :] + PARTIAL_BAND + B * grid[:, None]).astype(np.float32)
    z_bin = np.clip(np.rint((z + 6.0) * (_Z_GRID - 1) / 12.0), 0, _Z_GRID - 1).astype(np.intp)
    for start in range(0, n, _CHUNK_ROWS):
        stop = min(n, start + _CHUNK_ROWS)
        rows = stop - start
        u = rng.random((rows, m), dtype=np.float32)
        tp = t_partial[z_bin[start:stop]]
        codes = np.full((rows, m), _NO, dtype=np.uint8)
        codes -= (u < tp).view(np.uint8)
        codes -= (u < t_yes[z_bin[start:stop]]).view(np.uint8)
        # "no" cells (u >= tp) become "unknown" when (1 - u) < rate * (1 - tp).
        tp -= 1.0
        tp *= unknown_rate[start:stop, None]
        codes[(u - 1.0) > tp] = _UNKNOWN
        if na_cols.size:
            na = rng.random((rows, na_cols.size), dtype=np.float32) < _NA_PROBABILITY
            block = codes[:, na_cols]
            block[na] = _NA
            codes[:, na_cols] = block
        out[start:stop] = codes

    def set_col(item: str, values: np.ndarray, where: np.ndarray) -> None:
        if item in col:
            c = out[:, col[item]]
            c[where] = values[where] if isinstance(values, np.ndarray) else values

    def pick(p_first: float, first: int, second: int) -> np.ndarray:
        return np.where(rng.random(n) < p_first, first, second).astype(np.uint8)

    # Items the controls decide (the firm knows whether it has the device or service).
    set_col("D19.1", np.uint8(_YES), utm > 0)
    set_col("D19.1", pick(0.2, _PARTIAL, _NO), utm == 0)
    set_col("D19.2", np.uint8(_YES), utm == 2)
    set_col("D19.2", pick(0.7, _NO, _UNKNOWN), utm == 1)
    set_col("D19.2", np.uint8(_NO), utm == 0)
    set_col("D19.5", pick(0.7, _YES, _PARTIAL), utm == 2)
    full = covered * 10 >= endpoints * 9
    set_col("D20.1", np.where(full, _YES, _PARTIAL).astype(np.uint8), edr > 0)
    set_col("D20.1", np.uint8(_NO), edr == 0)
    set_col("D20.2", np.uint8(_YES), edr == 2)
    set_col("D20.2", pick(0.5, _PARTIAL, _NO), edr == 1)
    set_col("D20.2", np.uint8(_NO), edr == 0)
    set_col("D01.3", pick(0.7, _NO, _UNKNOWN), legacy >= 1)
    set_col("D14.2", pick(0.6, _YES, _PARTIAL), measured)
    set_col("D14.2", pick(0.85, _NO, _UNKNOWN), ~measured)

    # SECURITY ACTION: declared firms leave tagged items blank (auto-yes) or answer yes.
    for level in (1, 2):
        for c in np.flatnonzero(e.tag == level):
            rows = sa >= level
            u = rng.random(n)
            v = np.where(u < _SA_BLANK, 0, np.where(u < _SA_BLANK + _SA_YES, _YES,
                                                    np.where(u < 0.975, _PARTIAL, _NO)))
            out[rows, c] = v[rows]

    # Sheets abandoned part-way: the rest stays unanswered.
    for r in np.flatnonzero(stop_at < m):
        out[r, stop_at[r]:] = 0
    return np.ascontiguousarray(out)
