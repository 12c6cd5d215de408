"""`cybercover simulate` and `cybercover loss` end to end: the CLI's simulation of a CSV equals
cybercover.loss's of the same rows to the last digit; JSON and CSV summaries; the output is
written only on success and never over the input; bad rows and options are named; the
progress bar shows on a terminal only; `loss` shows what the quote charges."""

from __future__ import annotations

import json
import os
import pty
import subprocess
from pathlib import Path

import numpy as np
import pytest

import cybercover
import cybercover.loss as loss
from conftest import cli_path, item_ids, worked_example_1
from cybercover.synthetic import generate_portfolio

pd = pytest.importorskip("pandas")
CLI = cli_path()
pytestmark = pytest.mark.skipif(CLI is None, reason="the cybercover CLI was not built")
LABELS = np.array(["", "yes", "partial", "no", "unknown", "na"], dtype=object)


def write_book_csv(path: Path, n: int, seed: int) -> pd.DataFrame:
    """Write a synthetic book in the CSV layout of `cybercover price` plus a provider column."""
    p = generate_portfolio(n, seed=seed)
    frame = p.frame.copy()
    frame["quote_date"] = frame["quote_date"].dt.strftime("%Y-%m-%d")
    frame["edr_installed_on"] = frame["edr_installed_on"].dt.strftime("%Y-%m-%d")
    frame["provider"] = np.random.default_rng(seed).choice(["alpha", "beta", "gamma"], n)
    # the CSV contract: an empty cell is "not given" (a DataFrame may say -1)
    for column in [c for c in frame.columns if c.endswith("_deductible_yen")] + ["service_monthly_price_yen"]:
        frame[column] = frame[column].astype(object).where(frame[column] >= 0, "")
    answers = pd.DataFrame(LABELS[p.answers], columns=item_ids())
    frame = pd.concat([frame, answers], axis=1)
    frame.to_csv(path, index=False)
    return frame


def run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(CLI), *map(str, args), "--tables", cybercover.default_tables_dir()],
                          capture_output=True, text=True, timeout=300, **kwargs)


def test_simulate_equals_the_python_api(tmp_path, engine):
    csv = tmp_path / "book.csv"
    write_book_csv(csv, 1500, seed=8)
    out = tmp_path / "summary.json"
    p = run("simulate", csv, "--years", 5000, "--seed", 42, "-o", out, "--threads", 2)
    assert p.returncode == 0, p.stderr
    assert "simulated 1500 of 1500 companies for 5000 years" in p.stderr
    doc = json.loads(out.read_text())
    # the same rows through pandas and cybercover.loss (keys: the rows' positions)
    frame = pd.read_csv(csv)
    result = loss.simulate(engine, frame, years=5000, seed=42, threads=1)
    summary = result.summary()
    assert doc["companies"] == 1500 and doc["years"] == 5000 and doc["seed"] == 42
    assert doc["tables"]["sha256"] == result.sha256
    for s in doc["series"]:
        row = summary.loc[(s["name"], s["systemic"])]
        for key in ("mean", "sd", "var_99", "var_99_5", "tvar_99_5"):
            assert s[f"{key}_yen"] == row[key], (s["name"], key)
        assert s["p_loss_exceeds_premium"] == row["p_loss_exceeds_premium"]
    curves = result.exceedance_curves()
    assert [c["loss_yen"] for c in doc["aep"]] == list(curves["aep"])
    assert [c["loss_with_systemic_yen"] for c in doc["oep"]] == list(curves["oep_systemic"])
    assert sorted(doc["providers"]) == ["alpha", "beta", "gamma"]
    book = loss.Book.from_frame(engine, frame)
    expected = {layer["layer"]: layer for layer in doc["expected"]["layers"]}
    closed = book.summary()
    assert expected["liability"]["expected_loss_yen"] == pytest.approx(closed.loc["liability", "expected_loss_yen"], rel=1e-12)
    assert doc["expected"]["top_up_premium_yen"] == int(engine.quote_frame(frame.drop(columns=["provider"]))["annual_premium_yen"].sum())
    tiers = {(r["group"], r["systemic"]) for r in doc["loss_ratios"]["by_tier"]}
    assert ("A", True) in tiers or ("E", True) in tiers


def test_csv_summary_and_safe_output(tmp_path):
    csv = tmp_path / "book.csv"
    write_book_csv(csv, 200, seed=9)
    out = tmp_path / "summary.csv"
    p = run("simulate", csv, "--years", 1000, "-o", out)
    assert p.returncode == 0, p.stderr
    table = pd.read_csv(out)
    assert list(table.columns[:4]) == ["series", "systemic", "premium_yen", "mean_yen"]
    assert set(table["series"]) == {"total", "base_cover", "liability", "response", "interruption", "top_up"}
    assert len(table) == 12
    # JSON to standard output with --format json
    p = run("simulate", csv, "--years", 100, "--format", "json")
    assert p.returncode == 0 and json.loads(p.stdout)["years"] == 100
    # never over the input; a failed run leaves an existing output as it was
    before = csv.read_bytes()
    p = run("simulate", csv, "--years", 10, "-o", csv)
    assert p.returncode == 2 and "io.same_file" in p.stderr and csv.read_bytes() == before
    out.write_text("keep me")
    p = run("simulate", csv, "--years", 0, "-o", out)
    assert p.returncode == 2 and "--years" in p.stderr and out.read_text() == "keep me"
    assert not list(tmp_path.glob("*.tmp*"))


def test_bad_rows_and_options_are_named(tmp_path):
    csv = tmp_path / "book.csv"
    frame = write_book_csv(csv, 50, seed=10)
    frame.loc[3, "employees"] = -4
    frame.to_csv(csv, index=False)
    p = run("simulate", csv, "--years", 10)
    assert p.returncode == 2
    assert "company.employees" in p.stderr and "row 4" in p.stderr, p.stderr
    p = run("simulate", csv, "--years", 10, "--errors", "collect")
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert doc["rows"] == 50 and doc["rows_skipped"] == 1 and doc["companies"] == 49
    assert doc["skipped"][0]["row"] == 4 and "employees" in doc["skipped"][0]["error"]
    p = run("simulate", csv)
    assert p.returncode == 2 and "--years" in p.stderr
    p = run("simulate", csv, "--years", "ten")
    assert p.returncode == 2 and "--years must be a whole number" in p.stderr
    frame.rename(columns={"provider": "vendor"}).to_csv(csv, index=False)
    p = run("simulate", csv, "--years", 10)
    assert p.returncode == 2 and "input.unknown_column" in p.stderr and "vendor" in p.stderr


def test_progress_bar_only_on_a_terminal(tmp_path):
    csv = tmp_path / "book.csv"
    write_book_csv(csv, 2000, seed=12)
    p = run("simulate", csv, "--years", 20000, "-o", tmp_path / "a.json")
    assert p.returncode == 0 and "simulating [" not in p.stderr
    # on a pseudo-terminal: the bar is drawn on standard error
    main, secondary = pty.openpty()
    proc = subprocess.Popen([str(CLI), "simulate", str(csv), "--years", "200000", "-o", str(tmp_path / "b.json"),
                             "--tables", cybercover.default_tables_dir()],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=secondary)
    os.close(secondary)
    seen = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    assert proc.wait(timeout=300) == 0
    os.close(main)
    assert b"simulating [" in seen and b"100%" in seen


def test_loss_shows_the_charged_premiums(tmp_path, engine):
    request = tmp_path / "request.json"
    request.write_text(json.dumps(worked_example_1()))
    p = run("loss", request, "--json")
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    quote = engine.quote(worked_example_1()).to_dict()
    layers = {l["layer"]: l for l in doc["layers"]}
    assert doc["top_up"]["annual_premium_yen"] == quote["top_up"]["annual_premium_yen"]
    assert doc["top_up"]["package_yen"] == quote["top_up"]["package_yen"]
    assert sum(l["charged_premium_yen"] for k, l in layers.items() if k != "base_cover") == pytest.approx(
        quote["top_up"]["annual_premium_yen"])
    for key, section in quote["top_up"]["sections"].items():
        assert layers[key]["section_premium_yen"] == section["annual_premium_yen"]
        assert layers[key]["charged_premium_yen"] < section["annual_premium_yen"]  # multi-section factor 0.95
        assert layers[key]["capped_expected_loss_yen"] <= layers[key]["expected_loss_yen"]
    assert layers["base_cover"]["charged_premium_yen"] == quote["base_cover"]["annual_premium_yen"]
    same = loss.expected_losses(engine, worked_example_1()).layers
    assert layers["liability"]["expected_loss_yen"] == same.loc["liability", "expected_loss_yen"]
    text = run("loss", request).stdout
    assert "indicated" in text and "charged" in text and "x 0.95 = package" in text
