"""Library errors reach Python as cybercover.Error subclasses with the C++ message, kind and
field; conversion errors are TypeErrors naming the path."""

from __future__ import annotations

import json
import math
import shutil

import numpy as np
import pytest

import cybercover
from conftest import SOURCE_TABLES, worked_example_1


def test_hierarchy():
    assert issubclass(cybercover.Error, Exception)
    for cls in (cybercover.InputError, cybercover.TableError, cybercover.NoEditionError):
        assert issubclass(cls, cybercover.Error) and issubclass(cls, ValueError)
    assert issubclass(cybercover.TableIoError, cybercover.Error)
    assert issubclass(cybercover.TableIoError, OSError)
    assert cybercover.Error.__module__ == "cybercover"


def test_input_error_names_the_field_and_value(engine, example1):
    example1["company"]["employees"] = -3
    with pytest.raises(ValueError) as info:
        engine.quote(example1)
    err = info.value
    assert type(err) is cybercover.InputError
    assert str(err) == "[cybercover.input.below_minimum] company.employees: must be an integer between 1 and 1000000, got -3"
    assert (err.kind, err.code, err.field, err.detail, err.value) == (
        "input", "input.below_minimum", "company.employees", "must be an integer between 1 and 1000000", "-3")


@pytest.mark.parametrize("rate", [math.inf, -math.inf])
def test_infinite_click_rate_is_an_input_error(engine, example1, rate):
    example1["controls"]["phishing_click_rate"] = rate
    with pytest.raises(cybercover.InputError) as info:
        engine.quote(example1)
    assert (info.value.field, info.value.code) == ("controls.phishing_click_rate", "input.not_finite")


def test_nan_is_a_missing_value_as_in_pandas(engine, example1):
    # A pandas row gives NaN (or None, NaT, pd.NA) for an empty cell: "not given", like null.
    example1["controls"]["phishing_click_rate"] = math.nan
    without = dict(example1, controls={k: v for k, v in example1["controls"].items() if k != "phishing_click_rate"})
    assert engine.quote(example1).to_dict() == engine.quote(without).to_dict()


def test_bool_is_not_an_integer(engine, example1):
    example1["company"]["employees"] = True
    with pytest.raises(cybercover.InputError, match=r"^\[cybercover.input.wrong_type\] company\.employees: must be an integer between 1 and 1000000, got true$"):
        engine.quote(example1)


def test_fractional_yen_is_an_input_error(engine, example1):
    example1["company"]["capital_yen"] = 50_000_000.5
    with pytest.raises(cybercover.InputError) as info:
        engine.quote(example1)
    assert info.value.field == "company.capital_yen"


def test_integer_beyond_64_bits_is_an_input_error_naming_the_field(engine, example1):
    example1["company"]["revenue_yen"] = 10**30
    with pytest.raises(cybercover.InputError) as info:
        engine.quote(example1)
    assert info.value.field == "company.revenue_yen"


def test_unknown_and_missing_fields(engine, example1):
    example1["company"]["staff"] = 3
    with pytest.raises(cybercover.InputError, match="company.staff: unknown field"):
        engine.quote(example1)
    del example1["company"]["staff"]
    del example1["controls"]["incidents_3y"]
    with pytest.raises(cybercover.InputError, match="controls.incidents_3y: required field is missing"):
        engine.quote(example1)


def test_non_str_dict_key_is_a_type_error_naming_the_path(engine, example1):
    example1["answers"][7] = "yes"
    with pytest.raises(TypeError, match=r"^answers: dict keys must be str, got int 7$"):
        engine.quote(example1)
    with pytest.raises(TypeError, match=r"^request: dict keys must be str"):
        engine.quote({("quote_date",): "2026-12-15"})


def test_value_of_another_type_is_a_type_error_naming_the_path(engine, example1):
    example1["top_up"]["liability"]["limit_yen"] = {100_000_000}
    with pytest.raises(TypeError, match=r"^top_up\.liability\.limit_yen: cannot convert set"):
        engine.quote(example1)


def test_dates_as_a_pandas_row_gives_them(engine, example1):
    import datetime as dt

    import pandas as pd

    want = engine.quote(example1).to_dict()
    for day in (dt.date(2026, 12, 15), dt.datetime(2026, 12, 15), pd.Timestamp("2026-12-15"), np.datetime64("2026-12-15")):
        assert engine.quote(dict(example1, quote_date=day)).to_dict() == want, day
    # A time of day is not a date: the contract's error, with the value as given.
    with pytest.raises(cybercover.InputError) as info:
        engine.quote(dict(example1, quote_date=pd.Timestamp("2026-12-15 13:30")))
    assert (info.value.code, info.value.value) == ("input.invalid_date", '"2026-12-15T13:30:00"')


def test_malformed_json_text_is_an_input_error(engine):
    with pytest.raises(cybercover.InputError, match="malformed JSON") as info:
        engine.quote_json('{"quote_date": ')
    assert info.value.field == "request"
    with pytest.raises(cybercover.InputError, match="malformed JSON"):
        engine.assess_json("NaN")


def test_quote_json_errors_match_quote_errors(engine, example1):
    example1["company"]["employees"] = 0
    with pytest.raises(cybercover.InputError) as from_dict:
        engine.quote(example1)
    with pytest.raises(cybercover.InputError) as from_text:
        engine.quote_json(json.dumps(example1))
    assert str(from_dict.value) == str(from_text.value)


def test_quote_date_in_no_edition(engine, example1):
    example1["quote_date"] = "2020-01-01"
    with pytest.raises(cybercover.NoEditionError) as info:
        engine.quote(example1)
    assert info.value.kind == "no_edition"
    assert isinstance(info.value, ValueError)


def test_missing_tables_directory_is_a_table_io_error(tmp_path):
    with pytest.raises(OSError) as info:
        cybercover.Engine(tmp_path / "absent")
    assert type(info.value) is cybercover.TableIoError
    assert info.value.kind == "io"


def test_broken_table_is_a_table_error_naming_the_file(tmp_path):
    tables = tmp_path / "tables"
    shutil.copytree(SOURCE_TABLES, tables)
    posture = tables / "2026-12" / "posture.json"
    data = json.loads(posture.read_text(encoding="utf-8"))
    data.pop("tiers", None) if "tiers" in data else data.popitem()
    posture.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(cybercover.TableError) as info:
        cybercover.Engine(tables)
    assert "posture.json" in str(info.value)
    with pytest.raises(cybercover.TableError):
        cybercover.check_tables(tables)


def test_errors_raised_from_python_have_the_attributes():
    err = cybercover.InputError("x")
    assert (err.kind, err.code, err.field, err.detail) == (None, None, "", "")


def test_errors_pickle_with_their_attributes(engine, example1):
    import pickle

    example1["company"]["employees"] = -3
    with pytest.raises(cybercover.InputError) as info:
        engine.quote(example1)
    clone = pickle.loads(pickle.dumps(info.value))
    assert type(clone) is cybercover.InputError
    assert (str(clone), clone.kind, clone.field) == (str(info.value), "input", "company.employees")
