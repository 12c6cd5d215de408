"""Typed requests: the JSON request of docs/request_contract.md as keyword-only dataclasses.

Each class has ``to_dict()`` returning exactly the JSON request (optional fields left as
``None`` are omitted), and :meth:`cybercover.Engine.quote` / :meth:`~cybercover.Engine.assess`
accept the objects in place of dicts. The engine does all validation; these classes only
give names, types and IDE completion to the fields.

Examples
--------
>>> from cybercover import Company, Controls, Cover, Edr, QuoteRequest
>>> request = QuoteRequest(
...     quote_date="2026-12-15",
...     company=Company(industry="manufacturing", employees=40, capital_yen=50_000_000,
...                     revenue_yen=400_000_000, endpoints=48),
...     answers={},
...     controls=Controls(utm="managed",
...                       edr=Edr(status="managed", covered_endpoints=45, installed_on="2026-11-10"),
...                       legacy_os_endpoints=0, incidents_3y=1, phishing_click_rate=0.04),
...     bundle_plan="utm_edr",
...     top_up={"liability": Cover(limit_yen=100_000_000)},
... )
>>> request.to_dict()["company"]["employees"]
40
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Dict, Optional, Union

__all__ = ["AssessmentRequest", "Company", "Controls", "Cover", "Edr", "QuoteRequest"]

DateLike = Union[str, _dt.date]


def _date(value: Any) -> Any:
    """Return a date as ``"YYYY-MM-DD"``; other values unchanged (the engine checks them)."""
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    return value


def _part(value: Any) -> Any:
    """Return a nested part as JSON: typed objects through ``to_dict()``, mappings as dicts."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, Mapping):
        return dict(value)
    return value


def _without_none(fields: Dict[str, Any]) -> Dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None}


@dataclass(frozen=True, kw_only=True)
class Company:
    """The company to insure (§7 ``company``).

    Parameters
    ----------
    industry : str
        One of ``manufacturing``, ``construction``, ``transport_logistics``, ``wholesale``,
        ``retail``, ``restaurant``, ``accommodation``, ``services``, ``software_it``,
        ``medical_welfare``, ``finance_insurance_agency``, ``other``.
    employees : int
        At least 1.
    capital_yen : int
        Paid-in capital in yen, at least 0.
    revenue_yen : int
        Annual revenue in yen, at least 0.
    endpoints : int
        PCs and servers, at least 0.
    rubber_products : bool, optional
        Manufacturing of rubber products (SME employee limit 900). Omitted when ``None``.
    """

    industry: str
    employees: int
    capital_yen: int
    revenue_yen: int
    endpoints: int
    rubber_products: Optional[bool] = None

    def to_dict(self) -> Dict[str, Any]:
        """Return the JSON object of the company.

        Returns
        -------
        dict
        """
        return _without_none(
            {
                "industry": self.industry,
                "employees": self.employees,
                "capital_yen": self.capital_yen,
                "revenue_yen": self.revenue_yen,
                "endpoints": self.endpoints,
                "rubber_products": self.rubber_products,
            }
        )


@dataclass(frozen=True, kw_only=True)
class Edr:
    """Endpoint detection and response (§7 ``controls.edr``).

    Parameters
    ----------
    status : str
        ``"none"``, ``"self_managed"`` or ``"managed"``.
    covered_endpoints : int, optional
        Endpoints the EDR covers; required unless ``status`` is ``"none"``.
    installed_on : str or datetime.date, optional
        Installation date; required for a managed EDR (its learning period).
    """

    status: str
    covered_endpoints: Optional[int] = None
    installed_on: Optional[DateLike] = None

    def to_dict(self) -> Dict[str, Any]:
        """Return the JSON object of the EDR.

        Returns
        -------
        dict
        """
        return _without_none(
            {
                "status": self.status,
                "covered_endpoints": self.covered_endpoints,
                "installed_on": _date(self.installed_on),
            }
        )


@dataclass(frozen=True, kw_only=True)
class Controls:
    """Security controls in place (§7 ``controls``).

    Parameters
    ----------
    utm : str
        ``"none"``, ``"unmanaged"`` or ``"managed"``.
    edr : Edr
        The EDR, e.g. ``Edr(status="none")``.
    legacy_os_endpoints : int
        Endpoints on an end-of-support operating system.
    incidents_3y : int
        Security incidents in the last three years.
    phishing_click_rate : float, optional
        Click rate of the last phishing drill, 0 to 1; ``None`` if not measured.
    """

    utm: str
    edr: Edr
    legacy_os_endpoints: int
    incidents_3y: int
    phishing_click_rate: Optional[float] = None

    def to_dict(self) -> Dict[str, Any]:
        """Return the JSON object of the controls.

        Returns
        -------
        dict
        """
        return _without_none(
            {
                "utm": self.utm,
                "edr": _part(self.edr),
                "legacy_os_endpoints": self.legacy_os_endpoints,
                "phishing_click_rate": self.phishing_click_rate,
                "incidents_3y": self.incidents_3y,
            }
        )


@dataclass(frozen=True, kw_only=True)
class Cover:
    """One selected top-up section (§7 ``top_up.<section>``).

    Parameters
    ----------
    limit_yen : int
        A limit from the section's table, e.g. ``100_000_000``.
    deductible_yen : int, optional
        A deductible from the section's table; ``None`` takes the section's default
        (¥0 liability, ¥100,000 response and interruption).
    """

    limit_yen: int
    deductible_yen: Optional[int] = None

    def to_dict(self) -> Dict[str, Any]:
        """Return the JSON object of the section selection.

        Returns
        -------
        dict
        """
        return _without_none({"limit_yen": self.limit_yen, "deductible_yen": self.deductible_yen})


@dataclass(frozen=True, kw_only=True)
class QuoteRequest:
    """A quote request (docs/request_contract.md).

    Parameters
    ----------
    quote_date : str or datetime.date
        Picks the table edition in force that day.
    company : Company
    answers : Mapping[str, str]
        Item id (``"D01.1"``) to ``"yes"``, ``"partial"``, ``"no"``, ``"unknown"`` or
        ``"na"``; may be empty.
    controls : Controls
    bundle_plan : str
        ``"none"``, ``"utm"``, ``"edr"`` or ``"utm_edr"``.
    security_action : str, optional
        ``"none"``, ``"one_star"`` or ``"two_star"``; omitted when ``None``.
    top_up : Mapping[str, Cover], optional
        Section (``"liability"``, ``"response"``, ``"interruption"``) to its cover.
    subsidy_program : str, optional
        Id of a premium subsidy programme, e.g. ``"sme-cyber-support-2026"``.
    service_monthly_price_yen : int, optional
        The bundled service's own monthly price, checked against the price cap.
    prior_annual_premium_yen : int, optional
        A renewal's top-up annual premium of the prior year: the edition's renewal cap keeps
        the new premium within its maximum increase and decrease of it.
    """

    quote_date: DateLike
    company: Company
    answers: Mapping[str, str]
    controls: Controls
    bundle_plan: str
    security_action: Optional[str] = None
    top_up: Optional[Mapping[str, Cover]] = None
    subsidy_program: Optional[str] = None
    service_monthly_price_yen: Optional[int] = None
    prior_annual_premium_yen: Optional[int] = None

    def to_dict(self) -> Dict[str, Any]:
        """Return the JSON request.

        Returns
        -------
        dict
            The §7 request; optional fields left as ``None`` are omitted.
        """
        top_up = None
        if self.top_up is not None:
            top_up = {section: _part(cover) for section, cover in self.top_up.items()}
        return _without_none(
            {
                "quote_date": _date(self.quote_date),
                "company": _part(self.company),
                "security_action": self.security_action,
                "answers": dict(self.answers),
                "controls": _part(self.controls),
                "bundle_plan": self.bundle_plan,
                "top_up": top_up,
                "subsidy_program": self.subsidy_program,
                "service_monthly_price_yen": self.service_monthly_price_yen,
                "prior_annual_premium_yen": self.prior_annual_premium_yen,
            }
        )


@dataclass(frozen=True, kw_only=True)
class AssessmentRequest:
    """An assessment request (docs/rating_rules.md §1): only the questionnaire part of a quote.

    Parameters
    ----------
    quote_date : str or datetime.date
        Picks the table edition (and so the questionnaire) in force that day.
    answers : Mapping[str, str]
        Item id to answer; may be empty.
    security_action : str, optional
        ``"none"``, ``"one_star"`` or ``"two_star"``; omitted when ``None``.
    """

    quote_date: DateLike
    answers: Mapping[str, str]
    security_action: Optional[str] = None

    def to_dict(self) -> Dict[str, Any]:
        """Return the JSON request.

        Returns
        -------
        dict
        """
        return _without_none(
            {
                "quote_date": _date(self.quote_date),
                "security_action": self.security_action,
                "answers": dict(self.answers),
            }
        )
