"""examples/dask_simulation.py: a book simulated in parts on two dask worker processes merges
into exactly the in-process simulation of the whole book."""

from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pytest

from conftest import SOURCE_DIR

pytest.importorskip("pandas")
pytest.importorskip("dask")
pytest.importorskip("distributed")

EXAMPLE = SOURCE_DIR / "examples" / "dask_simulation.py"
ARRAYS = ["layer_loss_yen", "layer_systemic_yen", "tier_loss_yen", "tier_systemic_yen", "plan_loss_yen",
          "plan_systemic_yen", "max_incident_yen", "event_key", "event_paid_yen", "layer_premium_yen",
          "tier_premium_yen", "plan_premium_yen", "company_keys"]


def load_example():
    # Under its own name, so that the workers unpickle simulate_part by reference.
    spec = importlib.util.spec_from_file_location("dask_simulation", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    sys.modules["dask_simulation"] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.filterwarnings("ignore:make_current is deprecated:DeprecationWarning")
def test_dask_workers_simulate_exactly_the_in_process_result():
    example = load_example()
    distributed, in_process = example.main(companies=6000, years=3000, parts=5, verbose=False)
    assert distributed.companies == in_process.companies == 6000
    for name in ARRAYS:
        np.testing.assert_array_equal(getattr(distributed, name), getattr(in_process, name), err_msg=name)
    assert len(distributed.event_key) > 0  # systemic events hit companies of several parts
    assert distributed.summary().equals(in_process.summary())
