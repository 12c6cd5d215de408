"""Type stubs of the compiled module cybercover._core."""

import datetime
import os
from typing import Any, Dict, List, Literal, Mapping, Optional, Sequence, Tuple, Union

import numpy

from .portfolio import PortfolioResult
from .request import AssessmentRequest, QuoteRequest

__version__: str

_PathLike = Union[str, bytes, os.PathLike[str], os.PathLike[bytes]]
_Json = Dict[str, Any]
# A column: a numpy array, pandas Series/Categorical or sequence with one value per row, or a
# scalar for every row (Engine.quote_arrays converts it to the batch's dtype).
_Column = Any
_Date = Union[str, datetime.date, numpy.datetime64]

class Error(Exception):
    kind: Optional[str]
    code: Optional[str]
    field: str
    detail: str
    value: str
    row: Optional[int]
    id: Optional[str]
    column: Optional[str]

class InputError(Error, ValueError): ...
class TableError(Error, ValueError): ...
class NoEditionError(Error, ValueError): ...
class TableIoError(Error, OSError): ...

class Quote:
    @property
    def tier(self) -> str: ...
    @property
    def score(self) -> int: ...
    @property
    def posture_index(self) -> int: ...
    @property
    def outcome(self) -> str: ...
    @property
    def decision_codes(self) -> List[str]: ...
    @property
    def base_monthly_premium_yen(self) -> Optional[int]: ...
    @property
    def top_up_annual_premium_yen(self) -> Optional[int]: ...
    @property
    def payable_annual_yen(self) -> Optional[int]: ...
    @property
    def monthly_instalment_yen(self) -> Optional[int]: ...
    def to_dict(self) -> _Json: ...
    def to_json(self, *, indent: Optional[int] = None) -> str: ...
    def _repr_html_(self) -> str: ...
    def __eq__(self, other: object) -> bool: ...

class Assessment:
    @property
    def score(self) -> int: ...
    @property
    def unknown_count(self) -> int: ...
    @property
    def unmet(self) -> List[Dict[str, Any]]: ...
    def to_dict(self) -> _Json: ...
    def to_json(self, *, indent: Optional[int] = None) -> str: ...
    def _repr_html_(self) -> str: ...
    def __eq__(self, other: object) -> bool: ...

class Engine:
    def __init__(self, tables: Optional[_PathLike] = None) -> None: ...
    @property
    def editions(self) -> List[Dict[str, Optional[str]]]: ...
    def quote(self, request: Union[_Json, QuoteRequest]) -> Quote: ...
    def assess(self, request: Union[_Json, AssessmentRequest, QuoteRequest]) -> Assessment: ...
    def quote_json(self, text: str) -> str: ...
    def assess_json(self, text: str) -> str: ...
    # Defined in cybercover/portfolio.py (pandas taken apart; the conversion is C++), attached to Engine.
    def quote_arrays(
        self,
        *,
        quote_date: Union[_Date, _Column],
        answers: _Column,
        industry: _Column,
        employees: _Column,
        capital_yen: _Column,
        revenue_yen: _Column,
        endpoints: _Column,
        utm: _Column,
        edr_status: _Column,
        legacy_os_endpoints: _Column,
        incidents_3y: _Column,
        bundle_plan: _Column,
        security_action: Optional[_Column] = None,
        rubber_products: Optional[_Column] = None,
        edr_covered_endpoints: Optional[_Column] = None,
        edr_installed_on: Optional[_Column] = None,
        phishing_click_rate: Optional[_Column] = None,
        top_up: Optional[Mapping[str, Union[_Column, Tuple[_Column, Optional[_Column]]]]] = None,
        subsidy_program: Optional[Union[str, _Column]] = None,
        service_monthly_price_yen: Optional[_Column] = None,
        ids: Optional[_Column] = None,
        threads: Optional[int] = None,
        errors: Literal["raise", "collect"] = "raise",
    ) -> PortfolioResult: ...
    def quote_frame(
        self,
        df: Any,
        *,
        answers: Optional[_Column] = None,
        quote_date: Optional[_Date] = None,
        subsidy_program: Optional[str] = None,
        keep: Optional[Sequence[str]] = None,
        threads: Optional[int] = None,
        errors: Literal["raise", "collect"] = "raise",
    ) -> Any: ...
    def __copy__(self) -> Engine: ...
    def __deepcopy__(self, memo: Any) -> Engine: ...

def check_tables(path: _PathLike) -> List[Dict[str, Optional[str]]]: ...
def _json_round_trip(value: Any) -> Any: ...
def _quote_columns(
    engine: Engine,
    rows: int,
    columns: List[Tuple[str, Tuple[Any, ...]]],
    *,
    answers: Optional[numpy.ndarray],
    quote_date: Optional[_Date],
    subsidy_program: Optional[str],
    ids: Optional[numpy.ndarray],
    day_column: Optional[numpy.ndarray],
    threads: int,
    collect: bool,
) -> Dict[str, Any]: ...
def _request_contract() -> List[Dict[str, Any]]: ...
def _score_matrix(engine: Engine, answers: numpy.ndarray, security_action: numpy.ndarray, quote_date: _Date) -> Dict[str, numpy.ndarray]: ...
def _portfolio_codes() -> Dict[str, List[Any]]: ...
def _portfolio_editions(engine: Engine) -> List[Dict[str, Any]]: ...
