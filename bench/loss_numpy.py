"""The loss model's simulation as a straightforward numpy program: the benchmark's baseline.

The model of docs/loss_model.md read from the edition's loss_model.json (Poisson incidents,
lognormal ground-up costs, the default edition's families), written the way an actuary would
vectorise it: per chunk of years, one Poisson draw per company-year, the incidents expanded,
their costs and per-section claims drawn, the per-claim terms applied, the annual aggregates
applied per company-year (``bincount`` then ``minimum``), and the systemic events drawn per
provider (or market) and year, each hitting a binomial share of the exposed subscribers, their
claims sharing the annual aggregates with the incidents. It returns the same per-year sums as
``cybercover.loss`` (different random numbers, the same distribution).

The exposures (layers' attachments and limits, tier, industry, revenue band, plan, provider)
come from a ``cybercover.loss.Book``; every model parameter from the JSON table.

Usage
-----
    import loss_numpy
    model = loss_numpy.load_model("rating_tables/2026-12")
    exposure = loss_numpy.exposures(book)                  # a cybercover.loss.Book
    out = loss_numpy.simulate(model, exposure, years=1000, seed=1)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

import numpy as np

LAYERS = ("base_cover", "liability", "response", "interruption")


def load_model(edition_dir: str) -> Dict[str, Any]:
    """Read the loss model and what it needs of the other tables."""
    d = Path(edition_dir)
    read = lambda name: json.loads((d / f"{name}.json").read_text(encoding="utf-8"))  # noqa: E731
    loss, base, posture, uw, top_up = (read(n) for n in ("loss_model", "base_cover", "posture", "underwriting", "top_up"))
    if loss["severity"]["distribution"] != "lognormal" or loss["frequency"].get("distribution", "poisson") != "poisson":
        raise NotImplementedError("the numpy baseline covers the default edition's families (Poisson, lognormal)")
    tiers = [t["tier"] for t in posture["tiers"]]
    industries = [i["key"] for i in uw["industries"]]
    sections = [s["key"] for s in top_up["sections"]]
    bands = [b.get("max_employees") for b in base["employee_bands"]]
    return {
        "band_max": np.array([b if b is not None else np.iinfo(np.int64).max for b in bands], dtype=np.int64),
        "lambda_by_band": np.array(loss["frequency"]["tier_c_lambda_by_employee_band"]),
        "tier_multiplier": np.array([loss["frequency"]["tier_multipliers"][t] for t in tiers]),
        "industry_multiplier": np.array([loss["frequency"].get("industry_multipliers", {}).get(i, 1.0) for i in industries]),
        "revenue_scale": np.array(loss["severity"].get("revenue_band_scales", [1.0] * len(top_up["revenue_bands"]))),
        "mu": np.log(loss["severity"]["median_yen"]),
        "sigma": loss["severity"]["sigma"],
        "sections": sections,
        "claim_probability": np.array([loss["sections"][s]["claim_probability"] for s in sections]),
        "loss_scale": np.array([loss["sections"][s]["loss_scale"] for s in sections]),
        "events": loss.get("systemic_events", []),
    }


def exposures(book: Any) -> Dict[str, np.ndarray]:
    """The companies' exposures as arrays (from a cybercover.loss.Book)."""
    companies = book.companies()
    layers = book.expected_losses()
    n = len(companies)
    index = {name: i for i, name in enumerate(book.layers)}
    attachment = np.zeros((n, len(index)))
    limit = np.zeros((n, len(index)))
    row = layers["row"].to_numpy()
    column = layers["layer"].map(index).to_numpy().astype(np.int64)
    attachment[row, column] = layers["attachment_yen"].to_numpy()
    limit[row, column] = layers["limit_yen"].to_numpy()
    revenue_band = companies["revenue_band"].cat.codes.to_numpy().astype(np.int64)
    return {
        "employees": companies["employees"].to_numpy(),
        "tier": companies["tier"].cat.codes.to_numpy().astype(np.int64),
        "industry": companies["industry"].cat.codes.to_numpy().astype(np.int64),
        "revenue_band": np.minimum(revenue_band, len(book._core.revenue_band_max_yen) - 1),
        "plan": companies["bundle_plan"].cat.codes.to_numpy().astype(np.int64),
        "provider": companies["provider"].cat.codes.to_numpy().astype(np.int64),
        "attachment": attachment,
        "limit": limit,
    }


def simulate(model: Dict[str, Any], e: Dict[str, np.ndarray], *, years: int, seed: int, chunk: int = 16) -> Dict[str, np.ndarray]:
    """Simulate `years` years; returns per-year sums by layer, without and with systemic events.

    Company-years are laid out year-major (cell = year x companies + company), so the
    incidents come out sorted by cell and by year: sums per cell are ``add.reduceat`` and the
    year's largest incident a ``maximum.reduceat``.
    """
    rng = np.random.default_rng(seed)
    n = len(e["employees"])
    band = np.searchsorted(model["band_max"], e["employees"], side="left")
    lam = model["lambda_by_band"][band] * model["tier_multiplier"][e["tier"]] * model["industry_multiplier"][e["industry"]]
    scale = model["revenue_scale"][e["revenue_band"]]
    response = model["sections"].index("response")
    layer_section = np.array([response] + [model["sections"].index(name) for name in LAYERS[1:]])
    has = e["limit"] > 0
    cap = e["limit"]
    p = model["claim_probability"]
    c = model["loss_scale"][layer_section]
    plans = ("none", "utm", "edr", "utm_edr")
    providers = np.unique(e["provider"])
    nl = len(LAYERS)
    layer_loss = np.zeros((years, nl))
    layer_systemic = np.zeros((years, nl))
    max_incident = np.zeros(years)
    q = np.array([[ev["claim_probability"].get(s, 0.0) for s in model["sections"]] for ev in model["events"]])
    exposed = [np.isin(e["plan"], [plans.index(x) for x in ev.get("plans", ["utm", "edr", "utm_edr"])]) for ev in model["events"]]

    def payments(company: np.ndarray, x: np.ndarray, claims: np.ndarray) -> np.ndarray:
        """Per-claim payments (rows: claims; columns: layers), whole yen."""
        pay = np.minimum(np.maximum(x[:, None] * c[None, :] - e["attachment"][company], 0), cap[company])
        return np.floor(np.where(claims[:, layer_section] & has[company], pay, 0) + 0.5)

    def by_cell(cells: np.ndarray, pay: np.ndarray) -> tuple:
        """Sums of payments per distinct cell (cells sorted)."""
        starts = np.flatnonzero(np.r_[True, cells[1:] != cells[:-1]])
        return cells[starts], np.add.reduceat(pay, starts, axis=0)

    for y0 in range(0, years, chunk):
        m = min(chunk, years - y0)
        counts = rng.poisson(lam[None, :], size=(m, n)).ravel()
        nonzero = np.flatnonzero(counts)
        cells = np.repeat(nonzero, counts[nonzero])  # one per incident, sorted
        claims = rng.random((len(cells), len(p))) < p
        x = rng.lognormal(model["mu"], model["sigma"], len(cells))
        # most incidents claim on no section: only the others are paid
        claiming = claims.any(axis=1)
        cells, claims, x = cells[claiming], claims[claiming], x[claiming]
        company = cells % n
        pay = payments(company, x * scale[company], claims)
        if len(cells) == 0:
            continue
        year = cells // n
        occurrence = pay.sum(axis=1)
        first = np.searchsorted(year, np.arange(m))
        present = first < np.r_[first[1:], len(year)]
        max_incident[y0 + np.flatnonzero(present)] = np.maximum.reduceat(occurrence, first[present])
        cell, sums = by_cell(cells, pay)
        capped = np.minimum(sums, cap[cell % n])
        for layer in range(nl):
            layer_loss[y0 : y0 + m, layer] += np.bincount(cell // n, capped[:, layer], minlength=m)
        # systemic events per provider (or the market) and year, hitting exposed subscribers
        hit_cells, hit_x, hit_type = [], [], []
        for k, ev in enumerate(model["events"]):
            for target in (providers if ev["scope"] == "provider" else [None]):
                members = np.flatnonzero(exposed[k] & ((e["provider"] == target) if target is not None else True))
                if len(members) == 0:
                    continue
                events = rng.poisson(ev["events_per_year"], m)
                for y in np.repeat(np.arange(m), events):
                    hit = members[rng.random(len(members)) < ev["share_hit"]]
                    hit_cells.append(y * n + hit)
                    hit_x.append(rng.lognormal(np.log(ev["loss_per_company"]["median_yen"]), ev["loss_per_company"]["sigma"],
                                               len(hit)) * scale[hit])
                    hit_type.append(np.full(len(hit), k))
        if hit_cells:
            cells_s = np.concatenate(hit_cells)
            order = np.argsort(cells_s, kind="stable")
            cells_s = cells_s[order]
            x_s = np.concatenate(hit_x)[order]
            types = np.concatenate(hit_type)[order]
            claims_s = rng.random((len(cells_s), len(p))) < q[types]
            cell_s, extra = by_cell(cells_s, payments(cells_s % n, x_s, claims_s))
            # the incidents' sums in the same company-years share the annual aggregates
            at = np.minimum(np.searchsorted(cell, cell_s), len(cell) - 1)
            own = np.where((cell[at] == cell_s)[:, None], sums[at], 0)
            caps = cap[cell_s % n]
            delta = np.minimum(own + extra, caps) - np.minimum(own, caps)
            for layer in range(nl):
                layer_systemic[y0 : y0 + m, layer] += np.bincount(cell_s // n, delta[:, layer], minlength=m)
    return {"layer_loss_yen": layer_loss, "layer_systemic_yen": layer_systemic, "max_incident_yen": max_incident}
