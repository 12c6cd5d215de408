"""Runs every golden file of tests/golden/{quotes,assessments,errors} through the Python API:
the same files and rules as the C++ golden suite (tests/golden/golden_file.hpp)."""

from __future__ import annotations

import json

import pytest

import cybercover
from conftest import golden_files, read_golden, request_of, subset_mismatch

ERROR_CLASSES = {
    "input": cybercover.InputError,
    "no_edition": cybercover.NoEditionError,
    "table": cybercover.TableError,
    "io": cybercover.TableIoError,
}


def _context(path, golden, request) -> str:
    lines = [f"{path.name} — {golden.get('proves', '')}"]
    lines += [f"  {line}" for line in golden.get("arithmetic", [])]
    lines.append("request: " + json.dumps(request, ensure_ascii=False))
    return "\n".join(lines)


@pytest.mark.parametrize("kind", ["quotes", "assessments", "errors"])
def test_there_is_at_least_one_golden_file_of_each_kind(kind):
    assert len(golden_files(kind)) >= 1, f"no golden files in tests/golden/{kind}/"


@pytest.mark.parametrize("path", golden_files("quotes"), ids=lambda p: p.stem)
def test_golden_quote_matches_the_hand_computed_figures(engine, path):
    golden = read_golden(path)
    request = request_of(golden)
    actual = engine.quote(request).to_dict()
    mismatch = subset_mismatch(golden["expected"], actual)
    assert mismatch == "", _context(path, golden, request) + "\nresponse: " + json.dumps(actual)


@pytest.mark.parametrize("path", golden_files("assessments"), ids=lambda p: p.stem)
def test_golden_assessment_matches_the_hand_computed_scores(engine, path):
    golden = read_golden(path)
    request = request_of(golden)
    is_quote = golden.get("request_type", "assessment") == "quote"
    result = engine.quote(request) if is_quote else engine.assess(request)
    actual = result.to_dict()
    mismatch = subset_mismatch(golden["expected"], actual)
    assert mismatch == "", _context(path, golden, request) + "\nresponse: " + json.dumps(actual)


@pytest.mark.parametrize("path", golden_files("errors"), ids=lambda p: p.stem)
def test_golden_error_is_raised_with_its_kind_field_and_message(engine, path):
    golden = read_golden(path)
    request = request_of(golden)
    expected = golden["expected_error"]
    call = engine.quote if golden.get("request_type", "quote") == "quote" else engine.assess
    with pytest.raises(cybercover.Error) as info:
        call(request)
    err = info.value
    context = _context(path, golden, request) + f"\nerror: {type(err).__name__}: {err}"
    assert type(err) is ERROR_CLASSES[expected["kind"]], context
    assert err.kind == expected["kind"], context
    if "field" in expected:
        assert err.field == expected["field"], context
    for fragment in expected.get("message_contains", []):
        assert fragment in str(err), context
