"""Underwriting and pricing of SME cyber cover bundled with managed security services.

Python bindings of the C++ library ``cybercover``: a security assessment of 98 items, the
posture index and risk tier, the underwriting decision, the embedded base cover and the
optional top-up, each figure exact and traceable to a rating table row.

Examples
--------
>>> import cybercover
>>> engine = cybercover.Engine()             # the default tables shipped in the package
>>> quote = engine.quote(request)            # doctest: +SKIP
>>> quote.tier, quote.top_up_annual_premium_yen  # doctest: +SKIP
('A', 35800)
>>> engine.quote_frame(portfolio)             # doctest: +SKIP
"""

from __future__ import annotations

from ._core import (
    Assessment,
    Engine,
    Error,
    InputError,
    NoEditionError,
    Quote,
    TableError,
    TableIoError,
    __version__,
    check_tables,
)
from ._paths import default_tables_dir
from .editions import Edition  # also Engine.from_editions, Engine.edition
from .portfolio import PortfolioResult, RowError, item_ids, request_contract  # also Engine.quote_arrays/quote_frame
from . import loss  # the loss model: expected losses, aggregate distributions, simulation
from .remediation import RemediationPlan, Report  # also adds Engine.remediation, .report_html...
from .request import AssessmentRequest, Company, Controls, Cover, Edr, QuoteRequest

__all__ = [
    "Assessment",
    "AssessmentRequest",
    "Company",
    "Controls",
    "Cover",
    "Edition",
    "Edr",
    "Engine",
    "Error",
    "InputError",
    "NoEditionError",
    "PortfolioResult",
    "Quote",
    "QuoteRequest",
    "RemediationPlan",
    "Report",
    "RowError",
    "TableError",
    "TableIoError",
    "__version__",
    "check_tables",
    "default_tables_dir",
    "item_ids",
    "loss",
    "request_contract",
]
