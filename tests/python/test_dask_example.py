"""examples/dask_portfolio.py: pricing on two dask worker processes equals in-process pricing."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from conftest import SOURCE_DIR

pd = pytest.importorskip("pandas")
pytest.importorskip("dask.dataframe")
pytest.importorskip("distributed")

EXAMPLE = SOURCE_DIR / "examples" / "dask_portfolio.py"
MONEY = [
    "base_monthly_premium_yen", "base_annual_premium_yen", "liability_premium_yen", "response_premium_yen",
    "interruption_premium_yen", "package_yen", "annual_premium_yen", "subsidy_yen", "payable_annual_yen",
    "monthly_instalment_yen",
]


def load_example():
    # Under its own name, so that the workers (which get the example's directory on their
    # path) unpickle price_partition by reference.
    spec = importlib.util.spec_from_file_location("dask_portfolio", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    sys.modules["dask_portfolio"] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.filterwarnings("ignore:make_current is deprecated:DeprecationWarning")
def test_two_dask_workers_price_exactly_like_quote_frame_in_process(engine):
    example = load_example()
    n = 20_000
    priced = example.main(n=n, partitions=4, verbose=False)

    portfolio = example.make_portfolio(n, example.item_ids(engine), seed=2026)
    expected = engine.quote_frame(portfolio, subsidy_program=example.SUBSIDY)
    assert len(priced) == n and list(priced.index) == list(range(n))
    for column in MONEY:
        assert priced[column].equals(expected[column]), column
        assert str(priced[column].dtype) == "Int64"
    pd.testing.assert_frame_equal(priced, expected, check_exact=True)
    totals = example.totals(priced)
    assert totals["rows"] == n and totals["errors"] == 0
    assert totals["top_up_annual_premium_yen"] == int(expected["annual_premium_yen"].sum())
    assert set(totals["by_tier"]) == {"A", "B", "C", "D", "E"}
