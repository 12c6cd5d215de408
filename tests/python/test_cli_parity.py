"""Python ≡ CLI: the same request gives the same JSON through Engine.quote, Engine.quote_json
and `cybercover quote REQUEST.json --json` (and likewise for assess and for errors)."""

from __future__ import annotations

import json
import subprocess

import pytest

import cybercover
from conftest import (
    cli_path,
    golden_files,
    read_golden,
    request_of,
    worked_example_1,
    worked_example_2,
    worked_example_3,
)

CLI = cli_path()
pytestmark = pytest.mark.skipif(CLI is None, reason="the cybercover CLI was not built")


def _requests():
    yield "example1", worked_example_1()
    yield "example2", worked_example_2()
    yield "example3", worked_example_3()
    for path in golden_files("quotes"):
        yield path.stem, request_of(read_golden(path))


REQUESTS = list(_requests())


def run_cli(*args: str) -> subprocess.CompletedProcess:
    tables = cybercover.default_tables_dir()
    return subprocess.run(
        [str(CLI), *args, "--tables", tables], capture_output=True, text=True, encoding="utf-8", timeout=60
    )


@pytest.mark.parametrize("name,request_", REQUESTS, ids=[n for n, _ in REQUESTS])
def test_quote_json_equals_the_cli_json_output(engine, tmp_path, name, request_):
    text = json.dumps(request_, ensure_ascii=False)
    path = tmp_path / f"{name}.json"
    path.write_text(text, encoding="utf-8")
    run = run_cli("quote", str(path), "--json")
    assert run.returncode == 0, run.stderr
    cli = json.loads(run.stdout)
    assert json.loads(engine.quote_json(text)) == cli
    assert engine.quote(request_).to_dict() == cli
    # The CLI indents the very JSON that quote_json returns compact.
    assert engine.quote(request_).to_json(indent=2) == run.stdout.rstrip("\n")
    assert engine.quote(request_).to_json() == engine.quote_json(text)


@pytest.mark.parametrize("name,request_", REQUESTS[:3], ids=[n for n, _ in REQUESTS[:3]])
def test_assess_json_equals_the_cli_json_output(engine, tmp_path, name, request_):
    text = json.dumps(request_)
    path = tmp_path / f"{name}.json"
    path.write_text(text, encoding="utf-8")
    run = run_cli("assess", str(path), "--json")
    assert run.returncode == 0, run.stderr
    cli = json.loads(run.stdout)
    assert json.loads(engine.assess_json(text)) == cli
    assert engine.assess(request_).to_dict() == cli


def test_an_invalid_request_fails_with_the_same_message(engine, tmp_path):
    request_ = worked_example_1()
    request_["company"]["employees"] = -3
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(request_), encoding="utf-8")
    run = run_cli("quote", str(path), "--json")
    assert run.returncode == 2
    with pytest.raises(cybercover.InputError) as info:
        engine.quote_json(json.dumps(request_))
    assert run.stderr.strip() == f"cybercover: {info.value}"
