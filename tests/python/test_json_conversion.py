"""Python objects <-> the library's JSON: bool before int, ints stay ints, tuples are arrays."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cybercover import _core


def test_scalars_keep_their_json_types():
    out = _core._json_round_trip({"t": True, "f": False, "i": 3, "x": 2.5, "n": None, "s": "日本"})
    assert out == {"t": True, "f": False, "i": 3, "x": 2.5, "n": None, "s": "日本"}
    assert type(out["t"]) is bool and type(out["i"]) is int and type(out["x"]) is float


def test_tuples_become_lists_and_big_unsigned_ints_survive():
    assert _core._json_round_trip((1, (2, [3]))) == [1, [2, [3]]]
    assert _core._json_round_trip(2**64 - 1) == 2**64 - 1
    assert _core._json_round_trip(-(2**63)) == -(2**63)


def test_missing_values_are_null_and_infinities_reach_the_library():
    import pandas as pd

    for missing in (math.nan, np.float64("nan"), pd.NA, pd.NaT, np.datetime64("NaT")):
        assert _core._json_round_trip(missing) is None, missing
    assert _core._json_round_trip(-math.inf) == -math.inf


def test_numpy_scalars():
    assert _core._json_round_trip(np.int64(7)) == 7
    assert type(_core._json_round_trip(np.int64(7))) is int
    assert _core._json_round_trip(np.float64(0.25)) == 0.25
    assert _core._json_round_trip(np.bool_(True)) is True
    assert _core._json_round_trip(np.str_("yes")) == "yes"


def test_unsupported_values_name_their_path():
    with pytest.raises(TypeError, match=r"^a\.b\[1\]: cannot convert bytes"):
        _core._json_round_trip({"a": {"b": [0, b"x"]}})
    with pytest.raises(TypeError, match=r"^x: dict keys must be str, got float 1\.5$"):
        _core._json_round_trip({"x": {1.5: 0}})


def test_self_containing_dict_is_a_recursion_error():
    d: dict = {}
    d["d"] = d
    with pytest.raises(RecursionError):
        _core._json_round_trip(d)
