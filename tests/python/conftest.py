"""Shared fixtures of the Python binding tests.

Run with the package built by CMake on the path:
    PYTHONPATH=<build>/python /usr/bin/python3 -m pytest -q tests/python
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

import cybercover

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "golden"))
import golden_rules  # noqa: E402  (tests/golden/golden_rules.py: shared with the CLI tests)

SOURCE_DIR = Path(__file__).resolve().parents[2]
SOURCE_TABLES = SOURCE_DIR / "rating_tables"
QUESTIONNAIRE = SOURCE_TABLES / "2026-12" / "questionnaire.json"
GOLDEN_DIR = SOURCE_DIR / "tests" / "golden"


def item_ids() -> List[str]:
    """Return the 98 item ids of the default questionnaire, in questionnaire order."""
    with QUESTIONNAIRE.open(encoding="utf-8") as f:
        return [item["id"] for item in json.load(f)["items"]]


def worked_example_1() -> Dict[str, Any]:
    """Return the request of docs/rating_rules.md §8 worked example 1 (all 98 items "yes")."""
    return {
        "quote_date": "2026-12-15",
        "company": {
            "industry": "manufacturing",
            "employees": 40,
            "capital_yen": 50_000_000,
            "revenue_yen": 400_000_000,
            "endpoints": 48,
        },
        "security_action": "two_star",
        "answers": {i: "yes" for i in item_ids()},
        "controls": {
            "utm": "managed",
            "edr": {"status": "managed", "covered_endpoints": 45, "installed_on": "2026-11-10"},
            "legacy_os_endpoints": 0,
            "phishing_click_rate": 0.04,
            "incidents_3y": 1,
        },
        "bundle_plan": "utm_edr",
        "top_up": {
            "liability": {"limit_yen": 100_000_000},
            "response": {"limit_yen": 10_000_000, "deductible_yen": 100_000},
            "interruption": {"limit_yen": 10_000_000, "deductible_yen": 500_000},
        },
        "subsidy_program": "sme-cyber-support-2026",
        "service_monthly_price_yen": 80_000,
    }


def worked_example_2() -> Dict[str, Any]:
    """Return the request of worked example 2: 73 items "no", 25 "unknown", tier E, refer."""
    ids = item_ids()
    return {
        "quote_date": "2027-01-20",
        "company": {
            "industry": "retail",
            "employees": 30,
            "capital_yen": 10_000_000,
            "revenue_yen": 80_000_000,
            "endpoints": 12,
        },
        "answers": {i: ("unknown" if n < 25 else "no") for n, i in enumerate(ids)},
        "controls": {
            "utm": "unmanaged",
            "edr": {"status": "none"},
            "legacy_os_endpoints": 2,
            "phishing_click_rate": 0.20,
            "incidents_3y": 2,
        },
        "bundle_plan": "none",
        "top_up": {
            "liability": {"limit_yen": 50_000_000},
            "response": {"limit_yen": 5_000_000, "deductible_yen": 300_000},
        },
        "subsidy_program": "sme-cyber-support-2026",
    }


def worked_example_3() -> Dict[str, Any]:
    """Return the request of worked example 3: all items "partial", not an SME, decline."""
    return {
        "quote_date": "2026-12-15",
        "company": {
            "industry": "services",
            "employees": 150,
            "capital_yen": 100_000_000,
            "revenue_yen": 2_000_000_000,
            "endpoints": 160,
        },
        "answers": {i: "partial" for i in item_ids()},
        "controls": {"utm": "managed", "edr": {"status": "none"}, "legacy_os_endpoints": 0, "incidents_3y": 0},
        "bundle_plan": "utm",
        "top_up": {"liability": {"limit_yen": 100_000_000}},
    }


def golden_files(kind: str) -> List[Path]:
    """Return the golden files of tests/golden/<kind>/, sorted (whatever exists right now)."""
    directory = GOLDEN_DIR / kind
    return sorted(directory.glob("*.json")) if directory.is_dir() else []


def read_golden(path: Path) -> Dict[str, Any]:
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def request_of(golden: Dict[str, Any]) -> Dict[str, Any]:
    """Return the golden file's request with "fill_answers" expanded (golden_file.hpp)."""
    return golden_rules.request_of(golden, item_ids())


subset_mismatch = golden_rules.subset_mismatch


def cli_path() -> Optional[Path]:
    """Return the cybercover command-line program of the same build, if it was built."""
    env = os.environ.get("CYBERCOVER_CLI")
    candidates = [Path(env)] if env else []
    # <build>/python/cybercover/__init__.py -> <build>/tools/cybercover
    candidates.append(Path(cybercover.__file__).resolve().parents[2] / "tools" / "cybercover")
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return c
    return None


@pytest.fixture(scope="session")
def engine() -> cybercover.Engine:
    return cybercover.Engine()


@pytest.fixture()
def example1() -> Dict[str, Any]:
    return worked_example_1()
