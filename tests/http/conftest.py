"""Fixtures of the HTTP tests: the program under test, a shared server, and the record of every
response for the OpenAPI check (test_openapi_documents_every_response)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import Server, cli_path  # noqa: E402


@pytest.fixture(scope="session")
def cli() -> str:
    return cli_path()


@pytest.fixture(scope="module")
def srv(tmp_path_factory, cli):
    """A server with short timeouts (read 1 s, idle 2 s) shared by a test module."""
    with Server("--read-timeout", "1", "--idle-timeout", "2", "--threads", "2", "--workers", "2",
                workdir=tmp_path_factory.mktemp("srv"), cli=cli) as s:
        yield s
        assert s.alive(), "the server died: " + "".join(s.stderr_lines)
