"""The quote and policy register, and the monthly bordereau, as pandas DataFrames.

The service (``cybercover serve --store URL``) and C++ embedders (``cybercover::Store``)
write the register; actuaries read it here, from the same SQLite file or PostgreSQL
database: issued quotes, bound policies, their base-cover subscription periods, and a
month's bordereau with the arithmetic of ``docs/store.md`` done by the C++ library (exact
integer yen, the policies' own rules).

Examples
--------
>>> import cybercover
>>> store = cybercover.Store("sqlite:///var/lib/cybercover/store.db")  # doctest: +SKIP
>>> store.policies().groupby("tier")["top_up_annual_premium_yen"].sum()  # doctest: +SKIP
>>> b = store.bordereau("2027-01")  # doctest: +SKIP
>>> b.base_cover.groupby("plan")["owed_yen"].sum(), b.totals["base_cover_owed_yen"]  # doctest: +SKIP
"""

from __future__ import annotations

import datetime
import json
import re
from typing import Any, Dict, Mapping, Optional, Union

import pandas as pd

from . import _core

__all__ = ["Bordereau", "Store"]

# Columns by kind, for the DataFrames' dtypes.
_DATES = {"quote_date", "valid_until", "bound_on", "start_date", "top_up_end_date", "cancelled_from", "from", "to",
          "end_date"}
_TIMESTAMPS = {"issued_at", "bound_at", "cancelled_at", "recorded_at"}
_OPTIONAL_YEN = {"base_monthly_premium_yen", "top_up_annual_premium_yen", "top_up_subsidy_yen",
                 "top_up_payable_annual_yen", "top_up_monthly_instalment_yen", "refund_yen"}


_PASSWORD = re.compile(r"(://[^:/@]+):[^@]*@")
_HIDDEN = r"\1:***@"


def _day(value: Union[datetime.date, str], name: str) -> str:
    if isinstance(value, datetime.datetime):
        raise TypeError(f"{name} must be a date, not a datetime")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return value
    raise TypeError(f"{name} must be a datetime.date or a 'YYYY-MM-DD' str, not {type(value).__name__}")


def _request_text(request: Any) -> str:
    if isinstance(request, str):
        return request
    if hasattr(request, "to_dict") and not isinstance(request, Mapping):
        request = request.to_dict()
    return _core._request_json_text(request)


def _frame(columns: Dict[str, list], index: Optional[str] = None) -> pd.DataFrame:
    """Return the columns as a DataFrame: dates as datetime64, yen as int64 (Int64 where a
    value may be missing), text as object."""
    frame = pd.DataFrame(columns)
    for name in frame.columns:
        if name in _DATES:
            frame[name] = pd.to_datetime(frame[name], format="%Y-%m-%d")
        elif name in _TIMESTAMPS:
            frame[name] = pd.to_datetime(frame[name], format="%Y-%m-%dT%H:%M:%S.%fZ", utc=True)
        elif name in _OPTIONAL_YEN:
            frame[name] = frame[name].astype("Int64")
        elif name.endswith("_yen") or name in {"seq", "days_in_force", "days_in_month", "subscription_changes",
                                                "quote_validity_days"}:
            frame[name] = frame[name].astype("int64")
    if index is not None:
        frame = frame.set_index(index)
    return frame


class Bordereau:
    """A month's bordereau: what every subscription and top-up policy owes or earned.

    Built by :meth:`Store.bordereau`; the figures are the C++ library's (``docs/store.md``).

    Attributes
    ----------
    month : str
        The month, ``"YYYY-MM"``.
    base_cover : pandas.DataFrame
        One row per base-cover period in force in the month: ``policy_id``, ``quote_id``,
        ``seq``, ``plan``, ``tier``, ``monthly_premium_yen``, ``from``, ``to`` (the days of the
        month at that premium), ``days_in_force``, ``days_in_month``, ``owed_yen``, ``edition``.
    top_up : pandas.DataFrame
        One row per top-up policy in force, written or refunded in the month: ``policy_id``,
        ``quote_id``, ``tier``, ``annual_premium_yen``, ``start_date``, ``end_date``,
        ``cancelled_from`` (NaT when not cancelled), ``days_in_force``, ``written_yen``,
        ``earned_yen``, ``refund_yen``, ``edition``.
    totals : dict
        ``subscriptions``, ``base_cover_owed_yen``, ``top_up_policies``, ``top_up_written_yen``,
        ``top_up_earned_yen``, ``top_up_refund_yen``: the sums of the rows.
    csv : str
        The bordereau as the service's CSV (a ``record`` column: base_cover, top_up, total).
    """

    __slots__ = ("month", "base_cover", "top_up", "totals", "csv", "_json")

    def __init__(self, columns: tuple, csv: str, json_text: str) -> None:
        base, top, totals = columns
        self.month: str = totals.pop("month")
        self.base_cover = _frame(base)
        self.top_up = _frame(top)
        self.totals: Dict[str, int] = dict(totals)
        self.csv = csv
        self._json = json_text

    def to_dict(self) -> Dict[str, Any]:
        """Return the bordereau as the service's JSON document (a fresh dict)."""
        return json.loads(self._json)

    def __repr__(self) -> str:
        t = self.totals
        return (f"Bordereau(month={self.month!r}, subscriptions={t['subscriptions']}, "
                f"base_cover_owed_yen={t['base_cover_owed_yen']}, top_up_policies={t['top_up_policies']}, "
                f"top_up_written_yen={t['top_up_written_yen']}, top_up_earned_yen={t['top_up_earned_yen']})")

    def _repr_html_(self) -> str:
        """Return the totals as an HTML table for Jupyter."""
        return pd.DataFrame([self.totals], index=[self.month])._repr_html_()


class Store:
    """The quote and policy register at a URL, read for analysis.

    Parameters
    ----------
    url : str
        ``"sqlite:///path/to/store.db"`` or ``"postgresql://user@host:port/dbname"``. The
        database is created and migrated if it is new (docs/store.md).
    today : datetime.date or str, optional
        A fixed business day for the store's clock (quote validity, start and effective
        dates, timestamps at 10:00 Japan time), for tests and back-filling a register; move
        it with :attr:`today`. Default: the system clock.

    Raises
    ------
    cybercover.StoreError
        ``store.invalid_url``, ``store.unavailable``, ``store.schema_too_new``...

    Examples
    --------
    >>> store = cybercover.Store("sqlite:///tmp/register.db")  # doctest: +SKIP
    >>> store.quotes().query("status == 'issued'")  # doctest: +SKIP
    """

    __slots__ = ("_store", "_url")

    def __init__(self, url: str, *, today: Optional[Union[datetime.date, str]] = None) -> None:
        if not isinstance(url, str):
            raise TypeError(f"url must be a str, not {type(url).__name__}")
        self._store = _core._Store(url, None if today is None else _day(today, "today"))
        self._url = url

    @property
    def today(self) -> datetime.date:
        """The store's business day (Japan time); settable when the store has a fixed clock."""
        return datetime.date.fromisoformat(self._store.today)

    @today.setter
    def today(self, day: Union[datetime.date, str]) -> None:
        self._store._set_today(_day(day, "today"))

    def issue_quote(self, engine: _core.Engine, request: Union[Mapping[str, Any], str, Any]) -> Dict[str, Any]:
        """Quote a request and store it; return the issued quote (see :meth:`quote`).

        Parameters
        ----------
        engine : cybercover.Engine
            The engine that prices the request (its edition is stored with the quote).
        request : dict, str or cybercover.QuoteRequest
            The request of docs/request_contract.md.

        Raises
        ------
        cybercover.InputError
            The request breaks the contract.
        cybercover.StoreError
            ``store.quote_expired`` (a quote date past its validity), ``store.unavailable``...
        """
        return json.loads(self._store._issue(engine, _request_text(request)))

    def bind(self, quote_id: str, *, start_date: Union[datetime.date, str],
             idempotency_key: Optional[str] = None) -> Dict[str, Any]:
        """Bind an issued quote at its quoted premiums; return the policy (see :meth:`policy`).

        The dict has ``"replayed": True`` when ``idempotency_key`` repeated an earlier bind.

        Raises
        ------
        cybercover.StoreError
            ``store.quote_expired``, ``store.quote_already_bound``, ``store.quote_referred``,
            ``store.invalid_start_date``, ``store.idempotency_key_reused``...
        """
        text, replayed = self._store._bind(quote_id, _day(start_date, "start_date"), idempotency_key or "")
        return {**json.loads(text), "replayed": replayed}

    def cancel(self, policy_id: str, *, effective_date: Union[datetime.date, str],
               idempotency_key: Optional[str] = None) -> Dict[str, Any]:
        """Cancel a policy from ``effective_date`` (the first day without cover).

        Raises
        ------
        cybercover.StoreError
            ``store.policy_not_found``, ``store.policy_cancelled``, ``store.invalid_effective_date``.
        """
        text, replayed = self._store._cancel(policy_id, _day(effective_date, "effective_date"), idempotency_key or "")
        return {**json.loads(text), "replayed": replayed}

    def change_subscription(self, engine: _core.Engine, policy_id: str, *,
                            effective_date: Union[datetime.date, str], changes: Mapping[str, Any],
                            idempotency_key: Optional[str] = None) -> Dict[str, Any]:
        """Re-rate the base cover from ``effective_date`` with ``changes`` applied to the request.

        Parameters
        ----------
        changes : dict
            New values at their request paths, e.g.
            ``{"controls": {"edr": {"covered_endpoints": 48}}}``; only ``company.endpoints``,
            ``controls.edr.covered_endpoints`` and ``controls.legacy_os_endpoints`` may change.

        Raises
        ------
        cybercover.StoreError
            ``store.change_not_allowed``, ``store.invalid_effective_date``...
        cybercover.InputError
            The changed request breaks the contract.
        """
        text, replayed = self._store._change(engine, policy_id, _day(effective_date, "effective_date"),
                                             json.dumps(dict(changes)), idempotency_key or "")
        return {**json.loads(text), "replayed": replayed}

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._store.backend

    @property
    def schema_version(self) -> int:
        """The version of the database's schema (the migrations applied)."""
        return self._store.schema_version

    def quotes(self, *, with_json: bool = False) -> pd.DataFrame:
        """Return every issued quote, one row each, indexed by ``id``.

        Parameters
        ----------
        with_json : bool, default False
            Add the columns ``request_json`` and ``response_json``: the request as received
            and the engine's response with its audit trail (text).

        Returns
        -------
        pandas.DataFrame
            ``issued_at`` (UTC), ``quote_date``, ``valid_until``, ``status`` (``issued`` or
            ``bound``), ``policy_id``, ``edition``, ``edition_sha256``, ``bundle_plan``,
            ``tier``, ``outcome``, ``base_monthly_premium_yen``, ``top_up_annual_premium_yen``,
            ``top_up_subsidy_yen``, ``top_up_payable_annual_yen``,
            ``top_up_monthly_instalment_yen`` (``Int64``: missing without that cover) and
            ``quote_validity_days``.
        """
        if not isinstance(with_json, bool):
            raise TypeError("with_json must be a bool")
        return _frame(self._store._quote_columns(with_json), index="id")

    def policies(self) -> pd.DataFrame:
        """Return every bound policy, one row each, indexed by ``id``.

        Returns
        -------
        pandas.DataFrame
            ``quote_id``, ``bound_at``, ``bound_on``, ``start_date``, ``status`` (``active`` or
            ``cancelled``), ``bundle_plan``, ``tier``, ``edition``, ``edition_sha256``,
            ``base_monthly_premium_yen`` (the current one), ``subscription_changes``,
            ``top_up_annual_premium_yen``, ``top_up_subsidy_yen``,
            ``top_up_payable_annual_yen``, ``top_up_monthly_instalment_yen``,
            ``top_up_end_date``, ``cancelled_at``, ``cancelled_from``, ``refund_yen``.
        """
        policies, _ = self._store._policy_and_subscription_columns()
        return _frame(policies, index="id")

    def subscriptions(self) -> pd.DataFrame:
        """Return every base-cover subscription period, by policy then ``seq``.

        Returns
        -------
        pandas.DataFrame
            ``policy_id``, ``seq`` (0 from the bind, one more per change), ``from``, ``to``
            (NaT: open-ended), ``plan``, ``tier``, ``monthly_premium_yen``, ``edition``,
            ``edition_sha256``, ``recorded_at``.
        """
        _, periods = self._store._policy_and_subscription_columns()
        return _frame(periods)

    def bordereau(self, month: str) -> Bordereau:
        """Return the bordereau of a month.

        Parameters
        ----------
        month : str
            ``"YYYY-MM"``.

        Returns
        -------
        Bordereau

        Raises
        ------
        cybercover.StoreError
            ``store.invalid_month`` for a month not written ``YYYY-MM``.
        """
        if not isinstance(month, str):
            raise TypeError(f"month must be a str 'YYYY-MM', not {type(month).__name__}")
        columns, csv, json_text = self._store._bordereau(month)
        return Bordereau(columns, csv, json_text)

    def quote(self, quote_id: str) -> Dict[str, Any]:
        """Return one issued quote with its request and response, as a dict.

        Raises
        ------
        cybercover.StoreError
            ``store.quote_not_found``.
        """
        return json.loads(self._store._quote_json(quote_id))

    def policy(self, policy_id: str) -> Dict[str, Any]:
        """Return one policy with its subscription periods and cancellation, as a dict.

        Raises
        ------
        cybercover.StoreError
            ``store.policy_not_found``.
        """
        return json.loads(self._store._policy_json(policy_id))

    def __repr__(self) -> str:
        return f"Store({_PASSWORD.sub(_HIDDEN, self._url)!r})"
