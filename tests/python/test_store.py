"""cybercover.Store: the register and the bordereau in pandas, on SQLite and PostgreSQL.

The figures are those of tests/store/store_test.cpp, computed by hand there: worked example 1
on the ``edr`` plan has a base cover of ¥1,620 a month (40 x 45 covered x 0.90) and a top-up
of ¥36,270 a year.
"""

from __future__ import annotations

import copy
import datetime
import os
import secrets
import subprocess
from pathlib import Path

import pandas as pd
import pytest

import cybercover

from conftest import worked_example_1


def _postgres_url():
    path = os.environ.get("CYBERCOVER_TEST_POSTGRES_URL_FILE")
    return Path(path).read_text().strip() if path and Path(path).exists() else None


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite://{tmp_path / 'store.db'}"
        return
    base = _postgres_url()
    if base is None:
        pytest.fail("no PostgreSQL for the tests: CTest starts one (postgres_start); by hand run "
                    "scripts/postgres_for_tests.sh start DIR and set CYBERCOVER_TEST_POSTGRES_URL_FILE=DIR/url")
    schema = "py_" + secrets.token_hex(8)
    subprocess.run(["psql", "-q", base, "-c", f"CREATE SCHEMA {schema}"], check=True)
    yield f"{base}?options=-csearch_path%3D{schema}"
    subprocess.run(["psql", "-q", base, "-c", f"DROP SCHEMA {schema} CASCADE"], check=True)


def edr_example():
    r = worked_example_1()
    r["bundle_plan"] = "edr"
    r.pop("service_monthly_price_yen", None)
    return r


@pytest.fixture
def register(url, engine):
    """Three quotes: example 1 bound, the edr example bound, changed and cancelled, one left issued."""
    store = cybercover.Store(url, today="2026-12-15")
    first = store.issue_quote(engine, worked_example_1())
    bound = store.bind(first["id"], start_date=datetime.date(2026, 12, 20), idempotency_key="order-1")
    edr = store.issue_quote(engine, edr_example())
    changed = store.bind(edr["id"], start_date="2026-12-20")
    store.today = "2027-01-05"
    store.change_subscription(engine, changed["id"], effective_date="2027-01-10",
                              changes={"controls": {"edr": {"covered_endpoints": 48}}})
    store.today = "2027-03-01"
    store.cancel(changed["id"], effective_date="2027-03-20")
    store.today = "2026-12-15"
    left = store.issue_quote(engine, worked_example_1())
    return store, bound, changed, left


def test_quotes_frame_holds_every_issued_quote(register):
    store, bound, changed, left = register
    quotes = store.quotes()
    assert len(quotes) == 3
    assert quotes.index.name == "id"
    assert quotes.loc[left["id"], "status"] == "issued"
    assert pd.isna(quotes.loc[left["id"], "policy_id"])
    assert quotes.loc[bound["quote_id"], "policy_id"] == bound["id"]
    assert quotes.loc[bound["quote_id"], "top_up_annual_premium_yen"] == 35_800
    assert quotes.loc[changed["quote_id"], "top_up_annual_premium_yen"] == 36_270
    assert quotes.loc[changed["quote_id"], "base_monthly_premium_yen"] == 1_620
    assert quotes["quote_date"].dtype == "datetime64[ns]"
    assert quotes.loc[left["id"], "valid_until"] == pd.Timestamp("2027-01-14")
    assert str(quotes["issued_at"].dtype) == "datetime64[ns, UTC]"
    assert quotes["top_up_annual_premium_yen"].dtype == "Int64"
    assert set(quotes["edition"]) == {"2026-12"}
    with_json = store.quotes(with_json=True)
    engine_response = cybercover.Engine().quote_json(cybercover._core._request_json_text(worked_example_1()))
    assert with_json.loc[left["id"], "response_json"] == engine_response
    with pytest.raises(TypeError):
        store.quotes(True)  # keyword-only


def test_policies_and_subscriptions_frames(register):
    store, bound, changed, _ = register
    policies = store.policies()
    assert list(policies.index) == sorted([bound["id"], changed["id"]])
    row = policies.loc[changed["id"]]
    assert row["status"] == "cancelled"
    assert row["refund_yen"] == 27_320  # floor10(36,270 x 275 / 365 = 27,326.7)
    assert row["cancelled_from"] == pd.Timestamp("2027-03-20")
    assert row["base_monthly_premium_yen"] == 1_728  # after the change: 40 x 48 x 0.90
    assert row["subscription_changes"] == 1
    assert row["top_up_end_date"] == pd.Timestamp("2027-12-19")
    assert policies.loc[bound["id"], "status"] == "active"
    assert pd.isna(policies.loc[bound["id"], "refund_yen"])
    periods = store.subscriptions()
    mine = periods[periods["policy_id"] == changed["id"]]
    assert list(mine["seq"]) == [0, 1]
    assert list(mine["monthly_premium_yen"]) == [1_620, 1_728]
    assert list(mine["to"]) == [pd.Timestamp("2027-01-09"), pd.Timestamp("2027-03-19")]
    assert store.policy(bound["id"])["top_up"]["annual_premium_yen"] == 35_800
    assert store.quote(bound["quote_id"])["request"] == worked_example_1()


def test_bordereau_frames_and_their_totals(register):
    store, bound, changed, _ = register
    jan = store.bordereau("2027-01")
    base = jan.base_cover.set_index(["policy_id", "seq"])
    # 1 .. 9 at 1,620: rhu(470.32); 10 .. 31 at 1,728: rhu(1,226.32); example 1 a whole month.
    assert base.loc[(changed["id"], 0), "owed_yen"] == 470
    assert base.loc[(changed["id"], 1), "owed_yen"] == 1_226
    assert base.loc[(bound["id"], 0), "owed_yen"] == 765
    assert jan.totals["base_cover_owed_yen"] == 470 + 1_226 + 765 == jan.base_cover["owed_yen"].sum()
    top = jan.top_up.set_index("policy_id")
    assert top.loc[changed["id"], "earned_yen"] == 3_080  # floor(36,270 x 43 / 365) - 1,192
    assert jan.totals["top_up_earned_yen"] == jan.top_up["earned_yen"].sum()
    assert jan.totals["top_up_written_yen"] == 0
    mar = store.bordereau("2027-03")
    assert mar.totals["top_up_refund_yen"] == 27_320
    assert mar.top_up.set_index("policy_id").loc[changed["id"], "written_yen"] == -27_320
    assert mar.top_up["cancelled_from"].dtype == "datetime64[ns]"
    assert mar.csv.startswith("record,policy_id,quote_id,seq,plan,tier,")
    assert mar.csv.splitlines()[-1].startswith("total,")
    assert mar.to_dict()["totals"] == {**mar.totals}
    assert "Bordereau(month='2027-03'" in repr(mar)
    assert "<table" in mar._repr_html_()
    empty = store.bordereau("2026-11")
    assert empty.base_cover.empty and empty.totals["base_cover_owed_yen"] == 0


def test_errors_are_store_errors_with_their_codes(register, engine):
    store, bound, _, left = register
    with pytest.raises(cybercover.StoreError) as e:
        store.bordereau("2027-13")
    assert e.value.code == "store.invalid_month"
    assert e.value.field == "month"
    with pytest.raises(cybercover.StoreError) as e:
        store.quote("q-nope")
    assert e.value.code == "store.quote_not_found"
    with pytest.raises(cybercover.StoreError) as e:
        store.bind(bound["quote_id"], start_date="2026-12-20")
    assert e.value.code == "store.quote_already_bound"
    assert bound["id"] in str(e.value)
    again = store.bind(bound["quote_id"], start_date="2026-12-20", idempotency_key="order-1")
    assert again["replayed"] is True and again["id"] == bound["id"]
    store.today = "2027-01-15"
    with pytest.raises(cybercover.StoreError) as e:
        store.bind(left["id"], start_date="2027-01-20")
    assert e.value.code == "store.quote_expired"
    with pytest.raises(cybercover.InputError):
        bad = copy.deepcopy(worked_example_1())
        bad["company"]["employees"] = 0
        store.issue_quote(engine, bad)
    with pytest.raises(cybercover.StoreError) as e:
        cybercover.Store("mysql://x/y")
    assert e.value.code == "store.invalid_url"
    with pytest.raises(TypeError):
        store.bordereau(202701)


def test_repr_hides_a_password():
    store = object.__new__(cybercover.Store)
    object.__setattr__(store, "_url", "postgresql://ann:secret@db:5432/register")
    assert repr(store) == "Store('postgresql://ann:***@db:5432/register')"
