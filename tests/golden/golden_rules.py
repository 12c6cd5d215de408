"""The golden-file rules of golden_file.hpp for the Python-side runners (pytest and the CLI
end-to-end script): expand "fill_answers", and compare a response against "expected"."""

import copy
import json
from typing import Any, Dict, Iterable


def request_of(golden: Dict[str, Any], item_ids: Iterable[str]) -> Dict[str, Any]:
    """Return the golden file's request with "fill_answers" expanded over `item_ids`."""
    request = copy.deepcopy(golden["request"])
    if "fill_answers" in golden:
        answers = request.setdefault("answers", {})
        for i in item_ids:
            answers.setdefault(i, golden["fill_answers"])
    return request


def subset_mismatch(expected: Any, actual: Any, path: str = "") -> str:
    """Return "" when `actual` contains `expected`, else the first difference with its path
    and both values. Objects: every expected key matches; arrays: same length, each element
    matches; numbers compare by value (bool is not a number)."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{path}: expected an object, got {json.dumps(actual)}"
        for key, value in expected.items():
            if key not in actual:
                return f"{path}.{key}: missing from the response"
            m = subset_mismatch(value, actual[key], f"{path}.{key}")
            if m:
                return m
        return ""
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return f"{path}: expected {json.dumps(expected)}, got {json.dumps(actual)}"
        for i, (e, a) in enumerate(zip(expected, actual)):
            m = subset_mismatch(e, a, f"{path}[{i}]")
            if m:
                return m
        return ""
    numbers = (int, float)
    if (isinstance(expected, numbers) and not isinstance(expected, bool)
            and isinstance(actual, numbers) and not isinstance(actual, bool)):
        if float(expected) == float(actual):
            return ""
    elif type(expected) is type(actual) and expected == actual:
        return ""
    return f"{path}: expected {json.dumps(expected)}, got {json.dumps(actual)}"
