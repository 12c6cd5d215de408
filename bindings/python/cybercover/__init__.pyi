"""Type stubs of the cybercover package."""

from ._core import (
    Assessment as Assessment,
    Engine as Engine,
    Error as Error,
    InputError as InputError,
    NoEditionError as NoEditionError,
    Quote as Quote,
    TableError as TableError,
    TableIoError as TableIoError,
    __version__ as __version__,
    check_tables as check_tables,
)
from ._paths import default_tables_dir as default_tables_dir
from . import loss as loss
from .editions import Edition as Edition
from .portfolio import (
    PortfolioResult as PortfolioResult,
    RowError as RowError,
    item_ids as item_ids,
    request_contract as request_contract,
)
from .remediation import RemediationPlan as RemediationPlan, Report as Report
from .request import (
    AssessmentRequest as AssessmentRequest,
    Company as Company,
    Controls as Controls,
    Cover as Cover,
    Edr as Edr,
    QuoteRequest as QuoteRequest,
)

__all__: list[str]
