"""Portfolio batch pricing: a whole book of companies, column by column, on all cores.

:meth:`Engine.quote_arrays` prices numpy columns and :meth:`Engine.quote_frame` a pandas
DataFrame laid out like the CSV of ``cybercover price``. Every row goes through the same
checks and pricing steps as :meth:`Engine.quote`, so its figures equal the single quote's to
the yen, whatever the number of threads; a row's error message is the single quote's.

Columns are converted here, explicitly: strings, pandas Categoricals, nullable integers and
dates become the code columns of the C++ batch (``lib/include/cybercover/batch/portfolio.hpp``).
A column that already has the batch's dtype and is C-contiguous is handed over without a copy
(uint8 answers and enum codes, int64 counts and yen, float64 click rates, datetime64[D] dates).

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
PortfolioResult(rows=2, edition='2026-12', errors=0)
>>> result.to_frame()["annual_premium_yen"].tolist()  # doctest: +SKIP
[20350, <NA>]
"""

from __future__ import annotations

import datetime as _dt
import numbers
import re
from html import escape
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from . import _core
from ._core import Engine, InputError

__all__ = ["PortfolioResult", "quote_arrays", "quote_frame"]

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

_NO_DAY = np.iinfo(np.int64).min  # numpy's NaT and the batch's "no date"
_DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")


# ---- errors --------------------------------------------------------------------------------
def _input_error(where: str, detail: str) -> InputError:
    """Return an InputError shaped like the library's: "[cybercover.input.*] field: detail"."""
    error = InputError(f"[cybercover.input.column_type] {where}: {detail}")
    error.kind = "input"
    error.code = "input.column_type"
    error.field = where
    error.detail = detail
    return error


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


def _show(value: Any) -> str:
    return repr(value.item() if isinstance(value, np.generic) else value)


def _first(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


# ---- column normalisation ------------------------------------------------------------------
def _is_missing(x: Any) -> bool:
    if x is None:
        return True
    if isinstance(x, (float, np.floating)):
        return bool(x != x)
    if isinstance(x, np.datetime64):
        return bool(np.isnat(x))
    pd = _pandas()
    return pd is not None and (x is pd.NA or x is pd.NaT)


def _is_scalar(value: Any) -> bool:
    return isinstance(value, (str, bytes, _dt.date, numbers.Number, np.generic)) or value is None


def _categorical(value: Any) -> Any:
    """Return the pandas Categorical behind `value`, or None."""
    pd = _pandas()
    if pd is None:
        return None
    if isinstance(value, (pd.Series, pd.Index)) and isinstance(value.dtype, pd.CategoricalDtype):
        return value.array
    return value if isinstance(value, pd.Categorical) else None


def _values(value: Any, name: str, n: int) -> Tuple[np.ndarray, Optional[np.ndarray]]:
    """Return a 1-D numpy array of `n` values and a mask of missing values (None: none).

    pandas nullable arrays (Int64, Float64, boolean, string) come back as their numpy data
    with the mask; everything else through ``np.asarray`` (no copy for numpy arrays).
    """
    mask = None
    pd = _pandas()
    if pd is not None:
        if isinstance(value, (pd.Series, pd.Index)):
            value = value.array
        if isinstance(value, pd.api.extensions.ExtensionArray):
            dtype = value.dtype
            if isinstance(value, (pd.arrays.IntegerArray, pd.arrays.FloatingArray, pd.arrays.BooleanArray)):
                mask = np.asarray(value.isna())
                fill = False if dtype.numpy_dtype.kind == "b" else 0
                value = value.to_numpy(dtype=dtype.numpy_dtype, na_value=fill)
            elif isinstance(dtype, pd.StringDtype):
                value = value.to_numpy(dtype=object, na_value=None)
            else:
                value = value.to_numpy()
    arr = np.asarray(value)
    if arr.ndim != 1:
        raise _input_error(name, f"must be a 1-D column, got shape {arr.shape}")
    if len(arr) != n:
        raise _input_error(name, f"has {len(arr)} rows but the answers matrix has {n}")
    if mask is not None and not mask.any():
        mask = None
    return arr, mask


def _object_mask(arr: np.ndarray) -> np.ndarray:
    pd = _pandas()
    if pd is not None:
        return np.asarray(pd.isna(arr))
    return np.fromiter((_is_missing(x) for x in arr), bool, len(arr))  # pragma: no cover


def _factorize(arr: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Return (codes, uniques): codes index uniques, -1 for a missing value."""
    pd = _pandas()
    if pd is not None:
        codes, uniques = pd.factorize(arr.ravel() if arr.ndim > 1 else arr)
        return np.asarray(codes).reshape(arr.shape), np.asarray(uniques, dtype=object)
    table: Dict[Any, int] = {}  # pragma: no cover
    codes = np.fromiter(  # pragma: no cover
        (-1 if _is_missing(x) else table.setdefault(x, len(table)) for x in arr.ravel()), np.int64, arr.size
    )
    return codes.reshape(arr.shape), np.array(list(table), dtype=object)  # pragma: no cover


# ---- converters: each returns a C-contiguous array of the batch's dtype --------------------
def _int_scalar(x: Any, name: str, row: Optional[int] = None) -> int:
    at = "" if row is None else f" in row {row}"
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real):
        raise _input_error(name, f"must be an integer, got {_show(x)}{at}")
    if not isinstance(x, numbers.Integral):
        f = float(x)
        if not np.isfinite(f) or f != int(f):
            raise _input_error(name, f"must be an integer, got {_show(x)}{at}")
        x = int(f)
    v = int(x)
    if not -(2**63) <= v < 2**63:
        raise _input_error(name, f"must be an integer within 64 bits, got {v}{at}")
    return v


def _fill_missing(out: np.ndarray, arr: np.ndarray, mask: Optional[np.ndarray], missing: Any, name: str) -> np.ndarray:
    """Put `missing` where `mask` is set (copying first if `out` is the caller's array);
    an error naming the first such row when the column allows no missing value."""
    if mask is not None and mask.any():
        if missing is None:
            raise _input_error(name, f"is missing in row {_first(mask)}")
        out = out.copy() if out is arr else out
        out[mask] = missing
    return out


def _int64(value: Any, name: str, n: int, missing: Optional[int] = None) -> Optional[np.ndarray]:
    """Convert an integer column; missing values become `missing` (None: an error)."""
    if value is None:
        return None
    if _is_scalar(value):
        if _is_missing(value):
            if missing is None:
                raise _input_error(name, "is missing")
            return np.full(n, missing, np.int64)
        return np.full(n, _int_scalar(value, name), np.int64)
    if _categorical(value) is not None:
        value = np.asarray(_categorical(value), dtype=object)
    arr, mask = _values(value, name, n)
    kind = arr.dtype.kind
    if kind in "iu":
        if kind == "u" and arr.dtype.itemsize == 8 and len(arr) and arr.max() >= 2**63:
            row = _first(arr >= 2**63)
            raise _input_error(name, f"must be an integer within 64 bits, got {arr[row]} in row {row}")
        out = np.ascontiguousarray(arr, dtype=np.int64)  # no copy when already int64 and contiguous
    elif kind == "f":
        nan = np.isnan(arr)
        mask = nan if mask is None else (mask | nan)
        bad = ~nan & ((arr != np.trunc(arr)) | (np.abs(arr) >= 2.0**63))
        if bad.any():
            row = _first(bad)
            raise _input_error(name, f"must be an integer, got {_show(arr[row])} in row {row}")
        out = np.where(nan, 0, arr).astype(np.int64)
    elif kind == "O":
        omask = _object_mask(arr)
        mask = omask if mask is None else (mask | omask)
        out = np.zeros(n, np.int64)
        for row in np.flatnonzero(~omask):
            out[row] = _int_scalar(arr[row], name, int(row))
    else:
        what = "booleans" if kind == "b" else f"dtype {arr.dtype}"
        raise _input_error(name, f"must be integers, got {what}")
    return _fill_missing(out, arr, mask, missing, name)


def _float64(value: Any, name: str, n: int) -> Optional[np.ndarray]:
    """Convert a float column; missing values become NaN."""
    if value is None:
        return None
    if _is_scalar(value):
        if _is_missing(value):
            return np.full(n, np.nan)
        if isinstance(value, (bool, np.bool_, str, bytes)) or not isinstance(value, numbers.Real):
            raise _input_error(name, f"must be a number, got {_show(value)}")
        return np.full(n, float(value))
    arr, mask = _values(value, name, n)
    kind = arr.dtype.kind
    if kind in "fiu":
        out = np.ascontiguousarray(arr, dtype=np.float64)
    elif kind == "O":
        omask = _object_mask(arr)
        mask = omask if mask is None else (mask | omask)
        out = np.full(n, np.nan)
        for row in np.flatnonzero(~omask):
            x = arr[row]
            if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real):
                raise _input_error(name, f"must be a number, got {_show(x)} in row {row}")
            out[row] = float(x)
    else:
        what = "booleans" if kind == "b" else f"dtype {arr.dtype}"
        raise _input_error(name, f"must be numbers, got {what}")
    if mask is not None and mask.any():
        out = out.copy() if out is arr else out
        out[mask] = np.nan
    return out


_TRUE_FALSE = {"true": 1, "false": 0, "1": 1, "0": 0, "": 0}


def _bool(value: Any, name: str, n: int) -> Optional[np.ndarray]:
    """Convert a bool column to uint8 0/1; missing values are false (the request's default)."""
    if value is None:
        return None
    if _is_scalar(value):
        if _is_missing(value):
            return np.zeros(n, np.uint8)
        if not isinstance(value, (bool, np.bool_)):
            raise _input_error(name, f"must be true or false, got {_show(value)}")
        return np.full(n, int(value), np.uint8)
    arr, mask = _values(value, name, n)
    kind = arr.dtype.kind
    if kind == "b":
        out = np.ascontiguousarray(arr).view(np.uint8)  # a view: numpy bools are bytes 0/1
    elif kind in "iuf":
        nan = np.isnan(arr) if kind == "f" else np.zeros(n, bool)
        bad = ~nan & (arr != 0) & (arr != 1)
        if bad.any():
            row = _first(bad)
            raise _input_error(name, f"must be true or false, got {_show(arr[row])} in row {row}")
        out = np.where(nan, 0, arr).astype(np.uint8)
    elif kind in "OUS":
        out = np.zeros(n, np.uint8)
        omask = _object_mask(arr) if kind == "O" else np.zeros(n, bool)
        for row in np.flatnonzero(~omask):
            x = arr[row]
            if isinstance(x, (bool, np.bool_)):
                out[row] = int(x)
            elif isinstance(x, str) and x.strip().lower() in _TRUE_FALSE:
                out[row] = _TRUE_FALSE[x.strip().lower()]
            else:
                raise _input_error(name, f"must be true or false, got {_show(x)} in row {row}")
    else:
        raise _input_error(name, f"must be true or false, got dtype {arr.dtype}")
    if mask is not None and mask.any():
        out = out.copy() if out is arr or out.base is arr else out
        out[mask] = 0
    return out


def _label_table(uniques: Sequence[Any], lookup: Mapping[str, int]) -> np.ndarray:
    """Map distinct values (labels or integer codes) to codes; -1 for an unknown label."""
    table = np.empty(len(uniques), np.int64)
    for k, u in enumerate(uniques):
        if isinstance(u, str):
            table[k] = lookup.get(u, -1)
        elif isinstance(u, (numbers.Integral, np.integer)) and not isinstance(u, (bool, np.bool_)):
            table[k] = int(u) if 0 <= int(u) <= 255 else -1
        else:
            table[k] = -1
    return table


def _unknown(name: str, value: Any, allowed: str, where: str) -> InputError:
    return _input_error(name, f"unknown value {_show(value)}{where} (allowed: {allowed})")


def _codes(
    value: Any, name: str, labels: Sequence[str], n: int, *, missing: Optional[int] = None, skip: int = 0
) -> Optional[np.ndarray]:
    """Convert an enum column: labels or uint8 codes (labels[i] has code i + skip).

    Missing values become `missing` (None: an error); a label not in `labels` is an
    InputError naming the column, the value and its first row.
    """
    if value is None:
        return None
    lookup = {label: code + skip for code, label in enumerate(labels)}
    allowed = ", ".join(f'"{label}"' for label in labels)
    if _is_scalar(value):
        if _is_missing(value):
            if missing is None:
                raise _input_error(name, "is missing")
            return np.full(n, missing, np.uint8)
        code = _label_table([value], lookup)[0]
        if code < 0:
            raise _unknown(name, value, allowed, "")
        return np.full(n, code, np.uint8)
    cat = _categorical(value)
    if cat is not None:
        if len(cat) != n:
            raise _input_error(name, f"has {len(cat)} rows but the answers matrix has {n}")
        table = _label_table(list(cat.categories), lookup)
        cat_codes = np.asarray(cat.codes, dtype=np.int64)
        return _apply_table(table, cat_codes, list(cat.categories), name, allowed, missing)
    arr, mask = _values(value, name, n)
    kind = arr.dtype.kind
    if kind in "iu":
        if len(arr) and (arr.min() < 0 or arr.max() > 255):
            row = _first((arr < 0) | (arr > 255))
            raise _input_error(name, f"code must be 0-255, got {arr[row]} in row {row}")
        out = np.ascontiguousarray(arr, dtype=np.uint8)  # no copy for contiguous uint8
    elif kind == "f":
        nan = np.isnan(arr)
        mask = nan if mask is None else (mask | nan)
        bad = ~nan & ((arr != np.trunc(arr)) | (arr < 0) | (arr > 255))
        if bad.any():
            row = _first(bad)
            raise _input_error(name, f"code must be 0-255, got {_show(arr[row])} in row {row}")
        out = np.where(nan, 0, arr).astype(np.uint8)
    elif kind in "OUS":
        codes, uniques = _factorize(arr)
        table = _label_table(list(uniques), lookup)
        return _apply_table(table, codes, list(uniques), name, allowed, missing, mask)
    else:
        raise _input_error(name, f"must be labels ({allowed}) or uint8 codes, got dtype {arr.dtype}")
    return _fill_missing(out, arr, mask, missing, name)


def _apply_table(
    table: np.ndarray,
    codes: np.ndarray,
    uniques: Sequence[Any],
    name: str,
    allowed: str,
    missing: Optional[int],
    mask: Optional[np.ndarray] = None,
) -> np.ndarray:
    missing_rows = codes < 0
    if mask is not None:
        missing_rows |= mask
    bad = ~missing_rows & (table[np.where(missing_rows, 0, codes)] < 0) if len(table) else np.zeros(codes.shape, bool)
    if bad.any():
        flat = int(np.flatnonzero(bad.ravel())[0])
        where = f" in row {flat}" if codes.ndim == 1 else f" in row {flat // codes.shape[1]}, column {flat % codes.shape[1]}"
        raise _unknown(name, uniques[codes.ravel()[flat]], allowed, where)
    if missing_rows.any():
        if missing is None:
            raise _input_error(name, f"is missing in row {int(np.flatnonzero(missing_rows.ravel())[0])}")
        full = np.append(table, missing)  # index -1 -> missing
        return full[np.where(missing_rows, -1, codes)].astype(np.uint8)
    return table[codes].astype(np.uint8) if len(table) else np.zeros(codes.shape, np.uint8)


def _answer_labels() -> List[str]:
    return list(ANSWER_CODES[1:])  # "yes" ... "na": codes 1-5


def _answers(value: Any) -> np.ndarray:
    """Convert the answers matrix; '', None and NaN are unanswered (code 0)."""
    pd = _pandas()
    if pd is not None and isinstance(value, pd.DataFrame):
        value = value.to_numpy()
    arr = np.asarray(value)
    if arr.ndim != 2:
        raise _input_error("answers", f"must be a 2-D matrix (rows x items), got shape {arr.shape}")
    if arr.dtype == np.uint8:
        return np.ascontiguousarray(arr)  # the caller's buffer when already C-contiguous
    if arr.dtype.kind in "OU":
        return _codes2d(arr)
    if arr.dtype.kind in "iuf":
        if arr.dtype.kind == "f":
            arr = np.where(np.isnan(arr), 0, arr)
        bad = (arr < 0) | (arr > 255) | (arr != np.trunc(arr))
        if bad.any():
            r, c = divmod(_first(bad.ravel()), arr.shape[1])
            raise _input_error("answers", f"must be answer codes 0-5, got {_show(arr[r, c])} in row {r}, column {c}")
        return np.ascontiguousarray(arr, dtype=np.uint8)
    raise _input_error("answers", f"must be answer labels or uint8 codes 0-5, got dtype {arr.dtype}")


def _codes2d(arr: np.ndarray) -> np.ndarray:
    """Map a matrix of answer labels to codes; '', None and NaN are unanswered (0)."""
    labels = _answer_labels()
    lookup = {"": 0, **{label: code + 1 for code, label in enumerate(labels)}}
    allowed = ", ".join(f'"{label}"' for label in labels)
    codes, uniques = _factorize(arr)
    table = _label_table(list(uniques), lookup)
    return np.ascontiguousarray(_apply_table(table, codes, list(uniques), "answers", allowed, missing=0))


def _answer_column(value: Any, name: str, n: int) -> np.ndarray:
    """Convert one item column (labels or codes) of a frame; missing = unanswered."""
    arr = _codes(value, name, [""] + _answer_labels(), n, missing=0)
    assert arr is not None
    return arr


def _day_scalar(value: Any, name: str, row: Optional[int] = None) -> int:
    at = "" if row is None else f" in row {row}"
    try:
        if isinstance(value, str):
            if not _DATE_TEXT.fullmatch(value):
                raise ValueError
            return int(np.datetime64(value, "D").astype(np.int64))
        if isinstance(value, _dt.datetime):
            value = value.date()
        if isinstance(value, _dt.date):
            return int(np.datetime64(value, "D").astype(np.int64))
        if isinstance(value, np.datetime64) and not np.isnat(value):
            return int(value.astype("datetime64[D]").astype(np.int64))
    except ValueError:
        pass
    raise _input_error(name, f'must be a date "YYYY-MM-DD" (str, datetime.date or numpy.datetime64), got {_show(value)}{at}')


def _days(value: Any, name: str, n: int, *, required: bool) -> Optional[np.ndarray]:
    """Convert a date column to int64 days since 1970-01-01, NaT (int64 min) where missing."""
    if value is None:
        return None
    if _is_scalar(value):
        if _is_missing(value):
            if required:
                raise _input_error(name, "is missing")
            return np.full(n, _NO_DAY, np.int64)
        return np.full(n, _day_scalar(value, name), np.int64)
    arr, mask = _values(value, name, n)
    kind = arr.dtype.kind
    if kind == "M":
        out = np.ascontiguousarray(arr.astype("datetime64[D]", copy=False)).view(np.int64)  # no copy for [D]
    elif kind in "OU":
        # Few distinct dates in a portfolio: parse each once.
        codes, uniques = _factorize(arr)
        table = np.full(len(uniques) + 1, _NO_DAY, np.int64)  # index -1: missing
        for k, u in enumerate(uniques):
            if not (isinstance(u, str) and u == ""):  # an empty CSV cell is missing
                try:
                    table[k] = _day_scalar(u, name)
                except InputError:
                    table[k] = _day_scalar(u, name, _first(codes == k))
        out = table[codes]
    else:
        raise _input_error(name, f'must be dates (datetime64 or "YYYY-MM-DD" strings), got dtype {arr.dtype}')
    if mask is not None and mask.any():
        out = out.copy() if out.base is arr or out is arr else out
        out[mask] = _NO_DAY
    if required and len(out) and (out == _NO_DAY).any():
        raise _input_error(name, f"is missing in row {_first(out == _NO_DAY)}")
    return out


def _industry(value: Any, n: int) -> Tuple[np.ndarray, List[str]]:
    """Return industry codes (int32) and the keys they index."""
    name = "industry"
    if _is_scalar(value):
        if _is_missing(value) or not isinstance(value, str):
            raise _input_error(name, f"must be an industry key (str), got {_show(value)}")
        return np.zeros(n, np.int32), [value]
    cat = _categorical(value)
    if cat is not None:
        if len(cat) != n:
            raise _input_error(name, f"has {len(cat)} rows but the answers matrix has {n}")
        codes = np.asarray(cat.codes)
        keys = list(cat.categories)
        uniques: Sequence[Any] = keys
    else:
        arr, mask = _values(value, name, n)
        if arr.dtype.kind not in "OUS":
            raise _input_error(name, f"must be industry keys (str or a pandas Categorical), got dtype {arr.dtype}")
        codes, uniques = _factorize(arr)
        if mask is not None:
            codes = np.where(mask, -1, codes)
        keys = list(uniques)
    if len(codes) and (codes < 0).any():
        raise _input_error(name, f"is missing in row {_first(codes < 0)}")
    for k, key in enumerate(keys):
        if not isinstance(key, str):
            rows = np.flatnonzero(codes == k)
            if len(rows):
                raise _input_error(name, f"must be an industry key (str), got {_show(key)} in row {rows[0]}")
    return np.ascontiguousarray(codes, dtype=np.int32), [str(k) for k in keys]


def _top_up(value: Any, n: int) -> Tuple[List[Tuple[str, np.ndarray, Optional[np.ndarray]]], Dict[str, np.ndarray]]:
    if value is None:
        return [], {}
    if not isinstance(value, Mapping):
        raise TypeError("top_up must be a dict: section -> limit column, or section -> (limits, deductibles)")
    entries = []
    limits = {}
    for section, spec in value.items():
        if not isinstance(section, str):
            raise TypeError(f"top_up keys must be section names (str), got {section!r}")
        if isinstance(spec, tuple):
            if len(spec) != 2:
                raise TypeError(f"top_up[{section!r}] must be a limit column or a (limits, deductibles) pair")
            limit_value, deductible_value = spec
        else:
            limit_value, deductible_value = spec, None
        limit = _int64(limit_value, f"top_up.{section}.limit_yen", n, missing=0)
        deductible = _int64(deductible_value, f"top_up.{section}.deductible_yen", n, missing=-1)
        assert limit is not None
        entries.append((section, limit, deductible))
        limits[section] = limit
    return entries, limits


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


# ---- the result ----------------------------------------------------------------------------
class PortfolioResult:
    """The priced portfolio: one entry per row in every output array.

    Returned by :meth:`Engine.quote_arrays`. The arrays are read-only numpy views of the C++
    result (no copy); :meth:`to_frame` gives a pandas DataFrame with labels and nullable
    columns. Picklable.

    Attributes
    ----------
    edition, sha256 : str or None
        The table edition of the first priced row (None when no row was priced).
    editions_used : list of str
        Every edition a priced row used, in ``effective_from`` order.
    errors : list of (int, str)
        ``(row, message)`` of each failing row (``errors="collect"``), the message exactly
        the single quote's :class:`InputError` message.
    ok : numpy.ndarray of bool
        True where the row was priced. The figures of a failing row are 0.
    score, unknown_count, posture_index : numpy.ndarray of int
    tier_codes : numpy.ndarray of int8
        Index into :attr:`tier_names`; -1 for a failing row.
    outcome_codes : numpy.ndarray of int8
        Index into :attr:`OUTCOMES` (``accept``, ``refer``, ``decline``); -1 for a failing row.
    decision_code_bits : numpy.ndarray of uint8
        Bit i set when :attr:`DECISION_CODES` [i] fired.
    has_base_cover, has_top_up : numpy.ndarray of bool
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

    def __init__(self, raw: Mapping[str, Any], limits: Mapping[str, np.ndarray]) -> None:
        """Private: built by :meth:`Engine.quote_arrays` from the C++ result."""
        self.edition: Optional[str] = raw["edition"]
        self.sha256: Optional[str] = raw["sha256"]
        self.editions_used: List[str] = list(raw["editions_used"])
        self.errors: List[Tuple[int, str]] = [(int(r), str(m)) for r, m in raw["errors"]]
        self.ok: np.ndarray = raw["ok"].view(bool)
        self.score: np.ndarray = raw["score"]
        self.unknown_count: np.ndarray = raw["unknown_count"]
        self.posture_index: np.ndarray = raw["posture_index"]
        self.tier_codes: np.ndarray = raw["tier"]
        self.tier_names: List[str] = list(raw["tier_names"])
        self.outcome_codes: np.ndarray = raw["outcome"]
        self.decision_code_bits: np.ndarray = raw["decision_codes"]
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
        self._selected = {s: np.asarray(limit != 0) for s, limit in limits.items()}  # by section
        #: Debug: the address of the answers buffer the C++ pricing read, and whether it was
        #: a converted copy rather than the caller's own array.
        self._answers_address: int = int(raw["answers_address"])
        self._answers_copied: bool = bool(raw.get("answers_copied", True))

    def __len__(self) -> int:
        return len(self.ok)

    def __repr__(self) -> str:
        return f"PortfolioResult(rows={len(self)}, edition={self.edition!r}, errors={len(self.errors)})"

    def to_frame(self, *, index: Any = None) -> Any:
        """Return the figures as a pandas DataFrame, one row per portfolio row.

        Parameters
        ----------
        index : pandas.Index or array-like, optional
            Keyword-only. The frame's index (default: 0 .. n-1).

        Returns
        -------
        pandas.DataFrame
            Columns ``ok`` (bool), ``error`` (str, None where ok), ``score``,
            ``unknown_count``, ``posture_index`` (int64; 0 where not ok), ``tier`` and
            ``outcome`` (Categorical; NaN where not ok), ``decision_codes`` (the codes joined
            by ``"|"``, ``""`` when none fired, None where not ok),
            ``base_monthly_premium_yen``, ``base_annual_premium_yen`` (Int64, NA without base
            cover), ``<section>_premium_yen`` per top-up section (Int64, NA where not
            selected or without a top-up), ``package_yen``, ``annual_premium_yen``,
            ``subsidy_yen``, ``payable_annual_yen``, ``monthly_instalment_yen`` (Int64, NA
            without a top-up) and ``subsidy_code`` (str, None where none).
        """
        pd = _require_pandas()
        n = len(self)
        ok = self.ok

        def nullable(values: np.ndarray, present: np.ndarray) -> Any:
            return pd.arrays.IntegerArray(np.array(values, dtype=np.int64), ~np.asarray(present, dtype=bool))

        error = np.full(n, None, dtype=object)
        for row, message in self.errors:
            error[row] = message
        names = self.DECISION_CODES
        joined = np.array(
            ["|".join(names[b] for b in range(len(names)) if bits >> b & 1) for bits in range(256)], dtype=object
        )
        decisions = joined[self.decision_code_bits]
        decisions[~ok] = None
        subsidy = np.array(list(self.SUBSIDY_CODES) + [None] * (256 - len(self.SUBSIDY_CODES)), dtype=object)
        subsidy_code = subsidy[self.subsidy_codes]
        subsidy_code[~self.has_top_up] = None

        columns: Dict[str, Any] = {
            "ok": np.array(ok, dtype=bool),
            "error": error,
            "score": self.score.astype(np.int64),
            "unknown_count": self.unknown_count.astype(np.int64),
            "posture_index": self.posture_index.astype(np.int64),
            "tier": pd.Categorical.from_codes(self.tier_codes.astype(np.int64), categories=self.tier_names),
            "outcome": pd.Categorical.from_codes(self.outcome_codes.astype(np.int64), categories=list(self.OUTCOMES)),
            "decision_codes": decisions,
            "base_monthly_premium_yen": nullable(self.base_monthly_premium_yen, self.has_base_cover),
            "base_annual_premium_yen": nullable(self.base_annual_premium_yen, self.has_base_cover),
        }
        for section in self.section_keys:
            selected = self.has_top_up & self._selected[section]
            columns[f"{section}_premium_yen"] = nullable(self.section_premium_yen[section], selected)
        for name in ("package_yen", "annual_premium_yen", "subsidy_yen", "payable_annual_yen", "monthly_instalment_yen"):
            columns[name] = nullable(getattr(self, name), self.has_top_up)
        columns["subsidy_code"] = subsidy_code
        # copy=False: every column above is already a fresh array owned by this frame.
        frame = pd.DataFrame(columns, index=index if index is not None else pd.RangeIndex(n), copy=False)
        return frame

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

        edition = escape(", ".join(self.editions_used) or "—")
        parts = [
            table("Portfolio", [("rows", f"{n:,}"), ("priced", f"{n - failed:,}"), ("errors", f"{failed:,}"), ("editions", edition)]),
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
    subsidy_program: Optional[str] = None,
    service_monthly_price_yen: Any = None,
    threads: Optional[int] = None,
    errors: str = "raise",
) -> PortfolioResult:
    """Quote a portfolio given as columns, on all cores (RATE_MANUAL §7, row by row).

    Every row goes through the checks and pricing steps of :meth:`quote`, so its figures
    equal the single quote's to the yen, whatever ``threads`` is. Columns are numpy arrays,
    pandas Series or sequences of one value per row; a scalar applies to every row. A column
    that already has the batch's dtype and is C-contiguous is used without a copy.

    Parameters
    ----------
    quote_date : str, datetime.date, numpy.datetime64 or array of datetime64[D]
        One date for every row, or one per row (each row is priced with the edition in
        force on its date). Strings are ``"YYYY-MM-DD"``.
    answers : numpy.ndarray, shape (rows, items)
        Answer codes, uint8: 0 unanswered, 1 yes, 2 partial, 3 no, 4 unknown, 5 na, in the
        questionnaire's item order; or the labels ``"yes"`` ... ``"na"`` ('' or None =
        unanswered). A C-contiguous uint8 matrix is read in place; others are converted.
    industry : array of str or pandas.Categorical
        Industry keys; a key the edition does not know fails that row like a single quote.
    employees, capital_yen, revenue_yen, endpoints : array of int
        int64 (other integer dtypes and integral floats are converted).
    utm : array of str or uint8 codes
        ``none``, ``unmanaged``, ``managed`` (codes 0-2).
    edr_status : array of str or uint8 codes
        ``none``, ``self_managed``, ``managed`` (codes 0-2).
    legacy_os_endpoints, incidents_3y : array of int
    bundle_plan : array of str or uint8 codes
        ``none``, ``utm``, ``edr``, ``utm_edr`` (codes 0-3).
    security_action : array of str or uint8 codes, optional
        ``none``, ``one_star``, ``two_star`` (codes 0-2); default none.
    rubber_products : array of bool, optional
        Default false.
    edr_covered_endpoints : array of int, optional
        Needed for rows with an EDR; missing values are 0.
    edr_installed_on : array of datetime64[D] or str, optional
        NaT / '' / None = not given (required for a managed EDR).
    phishing_click_rate : array of float, optional
        NaN = not measured.
    top_up : dict, optional
        Section -> limit column, or section -> ``(limits, deductibles)`` (a tuple is always
        that pair). Limit 0 (or missing) = section not selected; deductible -1 (or missing)
        = the section's default.
    subsidy_program : str, optional
        One subsidy programme id for the whole portfolio.
    service_monthly_price_yen : array of int, optional
        -1 (or NaN / None) = not given.
    threads : int, optional
        Worker threads; None (default) = all cores. The result does not depend on it.
    errors : {"raise", "collect"}
        ``"raise"`` (default): raise the first failing row's error, its message starting
        ``"[cybercover.input] row N: "``. ``"collect"``: failing rows get ``ok`` False and
        their message (exactly the single quote's) in :attr:`PortfolioResult.errors`.

    Returns
    -------
    PortfolioResult

    Raises
    ------
    InputError
        A column cannot be converted (an unknown label, a fraction in an integer column, a
        missing value in a required column, a wrong length), naming the column, the value
        and its row; or, with ``errors="raise"``, the first failing row's error.
    NoEditionError
        With ``errors="raise"``: a row's quote date is in no edition.
    TypeError
        An unknown keyword, or a ``top_up`` that is not a dict.

    Examples
    --------
    >>> result = engine.quote_arrays(quote_date="2026-12-15", answers=codes, ...)  # doctest: +SKIP
    >>> result.to_frame().groupby("tier")["annual_premium_yen"].sum()  # doctest: +SKIP
    """
    collect = _collect(errors)
    n_threads = _threads(threads)
    if subsidy_program is not None and not isinstance(subsidy_program, str):
        raise TypeError(f"subsidy_program must be a str or None, got {subsidy_program!r}")
    matrix = _answers(answers)
    n = matrix.shape[0]

    columns: Dict[str, Optional[np.ndarray]] = {}
    quote_day: Optional[int] = None
    if _is_scalar(quote_date):
        if _is_missing(quote_date):
            raise _input_error("quote_date", "is required")
        quote_day = _day_scalar(quote_date, "quote_date")
    else:
        columns["quote_day"] = _days(quote_date, "quote_date", n, required=True)
    industry_codes, industry_keys = _industry(industry, n)
    columns["industry"] = industry_codes
    for name, value in (
        ("employees", employees),
        ("capital_yen", capital_yen),
        ("revenue_yen", revenue_yen),
        ("endpoints", endpoints),
        ("legacy_os_endpoints", legacy_os_endpoints),
        ("incidents_3y", incidents_3y),
    ):
        columns[name] = _int64(value, name, n)
    for name, value in (("utm", utm), ("edr_status", edr_status), ("bundle_plan", bundle_plan)):
        columns[name] = _codes(value, name, ENUM_CODES[name], n)
    columns["security_action"] = _codes(security_action, "security_action", ENUM_CODES["security_action"], n, missing=0)
    columns["rubber_products"] = _bool(rubber_products, "rubber_products", n)
    columns["edr_covered_endpoints"] = _int64(edr_covered_endpoints, "edr_covered_endpoints", n, missing=0)
    columns["edr_installed_day"] = _days(edr_installed_on, "edr_installed_on", n, required=False)
    columns["phishing_click_rate"] = _float64(phishing_click_rate, "phishing_click_rate", n)
    columns["service_monthly_price_yen"] = _int64(service_monthly_price_yen, "service_monthly_price_yen", n, missing=-1)
    entries, limits = _top_up(top_up, n)

    raw = _core._price_portfolio(
        self,
        matrix,
        columns,
        industry_keys=industry_keys,
        quote_day=quote_day,
        top_up=entries,
        subsidy_program=subsidy_program,
        threads=n_threads,
        collect=collect,
    )
    raw["answers_copied"] = not (isinstance(answers, np.ndarray) and raw["answers_address"] == answers.ctypes.data)
    return PortfolioResult(raw, limits)


# ---- Engine.quote_frame --------------------------------------------------------------------
# Columns of a portfolio frame (and of the CSV of `cybercover price`): name -> required.
FRAME_COLUMNS: Dict[str, bool] = {
    "quote_date": False,
    "industry": True,
    "employees": True,
    "capital_yen": True,
    "revenue_yen": True,
    "endpoints": True,
    "rubber_products": False,
    "security_action": False,
    "utm": True,
    "edr_status": True,
    "edr_covered_endpoints": False,
    "edr_installed_on": False,
    "legacy_os_endpoints": True,
    "phishing_click_rate": False,
    "incidents_3y": True,
    "bundle_plan": True,
    "service_monthly_price_yen": False,
}
_LIMIT, _DEDUCTIBLE = "_limit_yen", "_deductible_yen"


def _item_ids_for(layouts: List[Dict[str, Any]], quote_day: Optional[int], days: Optional[np.ndarray]) -> List[str]:
    """Return the item ids of the editions the rows use (they must agree)."""
    distinct = {tuple(e["item_ids"]) for e in layouts}
    if len(distinct) == 1:
        return list(next(iter(distinct)))
    used = []
    for e in layouts:
        lo, hi = e["from_day"], e["to_day"] if e["to_day"] is not None else np.iinfo(np.int64).max
        in_force = lo <= quote_day <= hi if days is None else bool(((days >= lo) & (days <= hi)).any())
        if in_force:
            used.append(e)
    ids = {tuple(e["item_ids"]) for e in used}
    if len(ids) > 1:
        editions = ", ".join(e["edition"] for e in used)
        raise _input_error(
            "answers",
            f"the rows span editions with different questionnaires ({editions}); give the answers= "
            "matrix or price each edition's rows separately",
        )
    return list(next(iter(ids))) if ids else list(layouts[0]["item_ids"]) if layouts else []


def quote_frame(
    self: Engine,
    df: Any,
    *,
    answers: Any = None,
    quote_date: Any = None,
    subsidy_program: Optional[str] = None,
    threads: Optional[int] = None,
    errors: str = "raise",
) -> Any:
    """Quote a portfolio given as a pandas DataFrame, one company per row.

    The same as ``quote_arrays(...).to_frame(index=df.index)`` with the frame's columns as
    the keyword arguments. Labels may be str or Categorical columns; empty cells (NaN) in
    optional columns mean "not given".

    Parameters
    ----------
    df : pandas.DataFrame
        Columns (the CSV layout of ``cybercover price``): ``quote_date`` (optional, else
        the argument), ``industry``, ``employees``, ``capital_yen``, ``revenue_yen``,
        ``endpoints``, ``rubber_products`` (opt), ``security_action`` (opt), ``utm``,
        ``edr_status``, ``edr_covered_endpoints`` (opt), ``edr_installed_on`` (opt),
        ``legacy_os_endpoints``, ``phishing_click_rate`` (opt), ``incidents_3y``,
        ``bundle_plan``, ``service_monthly_price_yen`` (opt), ``<section>_limit_yen`` and
        optionally ``<section>_deductible_yen`` per top-up section (empty or 0 = not
        selected), and, unless ``answers`` is given, one column per item id (``"D01.1"`` ...,
        labels or codes; a missing column or cell = unanswered). An optional ``id`` column
        is copied to the output.
    answers : numpy.ndarray, optional
        Keyword-only. The answers matrix instead of item columns (see :meth:`quote_arrays`).
    quote_date : str, datetime.date or numpy.datetime64, optional
        Keyword-only. The quote date of every row when the frame has no ``quote_date``
        column.
    subsidy_program : str, optional
        Keyword-only. One subsidy programme id for the whole portfolio.
    threads : int, optional
        Keyword-only. Worker threads; None (default) = all cores.
    errors : {"raise", "collect"}
        Keyword-only. As in :meth:`quote_arrays`; with ``"collect"`` the ``error`` column
        holds each failing row's message.

    Returns
    -------
    pandas.DataFrame
        :meth:`PortfolioResult.to_frame` with ``df``'s index (after ``df``'s ``id`` column,
        if it has one).

    Raises
    ------
    InputError
        An unknown column or a missing required one (named), a ``quote_date`` given both or
        neither as column and argument, answers given both or neither as matrix and item
        columns, a value that cannot be converted, or (``errors="raise"``) a failing row.
    TypeError
        ``df`` is not a DataFrame, or an unknown keyword.
    """
    pd = _require_pandas()
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"df must be a pandas.DataFrame, got {type(df).__qualname__}")
    layouts = _core._portfolio_editions(self)
    known_items = {i for e in layouts for i in e["item_ids"]}
    known_sections = {s for e in layouts for s in e["sections"]}
    fields: Dict[str, Any] = {}
    limits: Dict[str, Any] = {}
    deductibles: Dict[str, Any] = {}
    items: Dict[str, Any] = {}
    seen = set()
    for name in df.columns:
        if not isinstance(name, str):
            raise _input_error(str(name), f"unknown column {name!r} (column names are str)")
        if name in seen:
            raise _input_error(name, "column given twice")
        seen.add(name)
        column = df[name]
        if name == "id":
            continue  # copied to the output
        if name in FRAME_COLUMNS:
            fields[name] = column
        elif name.endswith(_LIMIT) and name[: -len(_LIMIT)] in known_sections:
            limits[name[: -len(_LIMIT)]] = column
        elif name.endswith(_DEDUCTIBLE) and name[: -len(_DEDUCTIBLE)] in known_sections:
            deductibles[name[: -len(_DEDUCTIBLE)]] = column
        elif name in known_items:
            items[name] = column
        else:
            raise _input_error(
                name,
                "unknown column (expected the request columns, <section>_limit_yen / "
                f"<section>_deductible_yen for sections {sorted(known_sections)}, or item ids)",
            )
    for name, required in FRAME_COLUMNS.items():
        if required and name not in fields:
            raise _input_error(name, "required column is missing")
    for section in deductibles:
        if section not in limits:
            raise _input_error(f"{section}{_DEDUCTIBLE}", f"has no {section}{_LIMIT} column")
    if "quote_date" in fields:
        if quote_date is not None:
            raise _input_error("quote_date", "given both as a column and as the quote_date argument")
        quote_date = fields.pop("quote_date")
    elif quote_date is None:
        raise _input_error("quote_date", "required: a quote_date column or the quote_date argument")

    n = len(df)
    if answers is not None:
        if items:
            raise _input_error(next(iter(items)), "item columns and the answers= matrix are both given")
    elif items:
        if _is_scalar(quote_date):
            quote_day, days = _day_scalar(quote_date, "quote_date"), None
        else:
            quote_day, days = None, _days(quote_date, "quote_date", n, required=True)
        ids = _item_ids_for(layouts, quote_day, days)
        position = {item: j for j, item in enumerate(ids)}
        for name in items:
            if name not in position:
                raise _input_error(name, "not an item of the questionnaire of the rows' edition")
        answers = np.zeros((n, len(ids)), np.uint8)
        for name, column in items.items():
            answers[:, position[name]] = _answer_column(column, name, n)
    else:
        raise _input_error("answers", "required: the answers= matrix or one column per item id (D01.1, ...)")

    top_up = {section: (limit, deductibles.get(section)) for section, limit in limits.items()}
    result = quote_arrays(
        self,
        quote_date=quote_date,
        answers=answers,
        top_up=top_up,
        subsidy_program=subsidy_program,
        threads=threads,
        errors=errors,
        **fields,
    )
    priced = result.to_frame(index=df.index)
    if "id" in seen:
        priced.insert(0, "id", df["id"].to_numpy())
    return priced


quote_arrays.__qualname__ = "Engine.quote_arrays"
quote_frame.__qualname__ = "Engine.quote_frame"
quote_arrays.__module__ = quote_frame.__module__ = "cybercover"
Engine.quote_arrays = quote_arrays  # type: ignore[attr-defined]
Engine.quote_frame = quote_frame  # type: ignore[attr-defined]
