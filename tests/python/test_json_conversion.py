"""Python objects as the JSON text the library reads (a dict request takes the JSON door):
bool before int, ints stay ints at any size, tuples are arrays, pandas' missing values null."""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pytest

from cybercover import _core


def as_json(value):
    return json.loads(_core._request_json_text(value))


def test_scalars_keep_their_json_types():
    out = as_json({"t": True, "f": False, "i": 3, "x": 2.5, "n": None, "s": "日本"})
    assert out == {"t": True, "f": False, "i": 3, "x": 2.5, "n": None, "s": "日本"}
    assert type(out["t"]) is bool and type(out["i"]) is int and type(out["x"]) is float
    assert _core._request_json_text(80.0) == "80.0"  # a float stays a float (the checks accept 80.0 as 80)


def test_tuples_become_lists_and_ints_keep_every_digit():
    assert as_json((1, (2, [3]))) == [1, [2, [3]]]
    for big in (2**64 - 1, -(2**63), 10**30, -(10**30)):
        assert _core._request_json_text(big) == str(big)


def test_missing_values_are_null_and_infinities_reach_the_library():
    import pandas as pd

    for missing in (math.nan, np.float64("nan"), pd.NA, pd.NaT, np.datetime64("NaT"), None):
        assert _core._request_json_text(missing) == "null", missing
    assert _core._request_json_text(-math.inf) == "-Infinity"
    assert _core._request_json_text(math.inf) == "Infinity"


def test_dates_are_iso_text():
    import pandas as pd

    for day in (dt.date(2026, 12, 15), dt.datetime(2026, 12, 15), pd.Timestamp("2026-12-15"), np.datetime64("2026-12-15")):
        assert _core._request_json_text(day) == '"2026-12-15"', day
    assert _core._request_json_text(pd.Timestamp("2026-12-15 09:30")) == '"2026-12-15T09:30:00"'


def test_numpy_scalars():
    assert _core._request_json_text(np.int64(7)) == "7"
    assert as_json(np.float64(0.25)) == 0.25
    assert as_json(np.bool_(True)) is True
    assert as_json(np.str_("yes")) == "yes"


def test_control_characters_are_escaped():
    assert as_json("a\nb\x00c\"d\\") == "a\nb\x00c\"d\\"


def test_unsupported_values_name_their_path():
    with pytest.raises(TypeError, match=r"^a\.b\[1\]: cannot convert bytes"):
        _core._request_json_text({"a": {"b": [0, b"x"]}})
    with pytest.raises(TypeError, match=r"^x: dict keys must be str, got float 1\.5$"):
        _core._request_json_text({"x": {1.5: 0}})


def test_self_containing_dict_is_a_recursion_error():
    d: dict = {}
    d["d"] = d
    with pytest.raises(RecursionError):
        _core._request_json_text(d)
