"""Global sensitivity analysis on a scenario with a known answer (tests/data/two-coins.yaml:
P(heads) = 1 - (1 - a)(1 - b); c drives an event no outcome reads)."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import brinkmanship as bk
from brinkmanship.analysis import sensitivity as sa
from brinkmanship.analysis.sweep import make_spec, prepare, run_local
from brinkmanship.errors import BrinkError
from brinkmanship.scenario.loader import load_scenario
from cli_runner import run_brink

TWO_COINS = str(Path(__file__).parent / "data" / "two-coins.yaml")
RANGES = {"a": (0.0, 0.6), "b": (0.0, 0.2), "c": (0.0, 1.0)}
PARAMS = [arg for name, (lo, hi) in RANGES.items() for arg in ("--param", f"{name}={lo}:{hi}")]


def uniform_moments(lo: float, hi: float) -> tuple[float, float]:
    """Mean and second moment of 1 - X for X uniform on [lo, hi]."""
    u_lo, u_hi = 1 - hi, 1 - lo
    return (u_lo + u_hi) / 2, (u_lo**2 + u_lo * u_hi + u_hi**2) / 3


def closed_form_first_order() -> dict[str, float]:
    """First-order Sobol indices of Y = 1 - UV (U = 1 - a, V = 1 - b independent uniforms):
    S_a = Var(U) E[V]^2 / Var(UV), S_b = Var(V) E[U]^2 / Var(UV), S_c = 0."""
    mu, mu2 = uniform_moments(*RANGES["a"])
    mv, mv2 = uniform_moments(*RANGES["b"])
    var_y = mu2 * mv2 - (mu * mv) ** 2
    return {"a": (mu2 - mu**2) * mv**2 / var_y, "b": (mv2 - mv**2) * mu**2 / var_y, "c": 0.0}


def analyse(method: str, samples: int, runs: int, out: Path) -> dict[tuple[str, str], sa.Index]:
    """The indices of P(heads) (class settlement), by (parameter, measure)."""
    sc = load_scenario(TWO_COINS)
    axes = [sa.parse_range(f"{n}={lo}:{hi}") for n, (lo, hi) in RANGES.items()]
    points = sa.design(method, axes, samples, seed=3)
    spec = make_spec(
        TWO_COINS, 3, runs, runs, (), (), axes, list(sc.parameters), None, "batch", (method, points)
    )
    run_local(spec, out, prepare(spec, out, resume=False), workers=1)
    found = sa.indices(method, axes, spec, sa.class_probabilities(out, spec, sc), seed=3)
    return {(i.parameter, i.measure): i for i in found if i.cls == "settlement"}


def value(index: sa.Index) -> float:
    assert index.value is not None
    return index.value


def test_sobol_finds_the_closed_form_indices(tmp_path: Path) -> None:
    found = analyse("sobol", 64, 400, tmp_path)
    truth = closed_form_first_order()
    assert truth["a"] == pytest.approx(0.9334, abs=1e-3)  # the formula, checked by hand
    assert abs(value(found[("a", "S1")]) - truth["a"]) < 0.12
    assert abs(value(found[("b", "S1")]) - truth["b"]) < 0.06
    # c changes nothing any outcome reads, and the runs share their draws: exactly zero
    assert value(found[("c", "S1")]) == 0.0 and value(found[("c", "ST")]) == 0.0
    assert value(found[("a", "ST")]) > 0.8  # the a*b interaction is small
    for name in ("a", "b"):
        total = found[(name, "ST")]
        assert total.ci_low is not None and total.ci_high is not None
        assert total.ci_low < value(total) < total.ci_high


def test_morris_ranks_by_the_closed_form_elementary_effects(tmp_path: Path) -> None:
    """dP/da = 1 - b and dP/db = 1 - a; over the ranges (SALib scales by the range) the mean
    absolute effects are E[1 - b] * 0.6 and E[1 - a] * 0.2."""
    found = analyse("morris", 40, 400, tmp_path)
    mean_a, _ = uniform_moments(*RANGES["a"])
    mean_b, _ = uniform_moments(*RANGES["b"])
    assert abs(value(found[("a", "mu_star")]) - mean_b * 0.6) < 0.06
    assert abs(value(found[("b", "mu_star")]) - mean_a * 0.2) < 0.04
    assert value(found[("c", "mu_star")]) == 0.0


def test_the_command_writes_the_indices_and_keeps_the_sweep_queryable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "sa"
    args = ["sensitivity", TWO_COINS, *PARAMS, "--samples", "8", "--runs", "50", "--out", str(out)]
    code, text, err = run_brink([*args, "--workers", "1"], capsys, monkeypatch)
    assert code == 0, err
    assert "P(settlement)" in text and "sensitivity.parquet" in text
    table = pq.read_table(out / sa.INDICES)
    assert table.schema == sa.SCHEMA
    assert set(table.column("measure").to_pylist()) == {"S1", "ST"}
    code, text, err = run_brink(
        ["query", str(out), "SELECT count(*) AS n FROM runs", "--json"], capsys, monkeypatch
    )
    assert code == 0, err
    assert json.loads(text) == {"n": 8 * (3 + 2) * 50}  # only the runs, not the indices
    code, _, err = run_brink([*args, "--workers", "1"], capsys, monkeypatch)
    assert code == 2 and "--resume" in err  # a finished analysis is not overwritten
    html = tmp_path / "report.html"
    report = ["report", TWO_COINS, "--runs", "40", "--workers", "1", "--sweep", str(out)]
    code, _, err = run_brink([*report, "--html", str(html)], capsys, monkeypatch)
    assert code == 0, err
    page = html.read_text(encoding="utf-8")
    assert 'id="sensitivity-indices"' in page
    a_first = next(
        r
        for r in table.to_pylist()
        if (r["class"], r["parameter"], r["measure"]) == ("settlement", "a", "S1")
    )
    assert f"{a_first['value']:.3f} [{a_first['ci_low']:.3f}, {a_first['ci_high']:.3f}]" in page


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (["--param", "a=0:0.5"], "at least two"),
        ([*PARAMS, "--samples", "6"], "power of two"),
        ([*PARAMS, "--method", "fast"], "fast"),
        (["--param", "a=0:0.5", "--param", "zz=0:1"], "zz"),
        (["--param", "a=0.5:0.1", "--param", "b=0:1"], "must be below"),
        (["--param", "a=0:2", "--param", "b=0:1"], "range"),
        (["--param", "a=0:0.5:3", "--param", "b=0:1"], "NAME=LOW:HIGH"),
        ([*PARAMS, "--method", "morris", "--levels", "3"], "even"),
    ],
)
def test_bad_input_is_one_message_and_writes_nothing(
    extra: list[str],
    fragment: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "sa"
    code, _, err = run_brink(
        ["sensitivity", TWO_COINS, *extra, "--runs", "10", "--out", str(out)], capsys, monkeypatch
    )
    assert code == 2 and fragment in err and "Traceback" not in err
    assert not out.exists()


def test_the_api_gives_what_the_command_writes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "cli"
    args = ["sensitivity", TWO_COINS, *PARAMS, "--samples", "8", "--runs", "50", "--out", str(out)]
    code, _, err = run_brink([*args, "--workers", "1"], capsys, monkeypatch)
    assert code == 0, err
    result = bk.load(TWO_COINS).sensitivity(RANGES, samples=8, runs=50, workers=1)
    assert result.to_arrow().equals(pq.read_table(out / sa.INDICES))
    assert result.to_pandas().shape == (result.to_arrow().num_rows, len(sa.SCHEMA))
    assert result.to_polars().shape == result.to_pandas().shape
    assert "Sensitivity (sobol): two-coins" in repr(result)
    with pytest.raises(BrinkError, match="power of two"):
        bk.load(TWO_COINS).sensitivity(RANGES, samples=6, runs=10)
