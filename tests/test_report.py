"""`brink report`: one self-contained HTML file whose numbers match `brink mc` and
`brink compare`, with every scenario text escaped, and bad input refused before any run."""

from __future__ import annotations

import json
import re
import statistics
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from brinkmanship.analysis.compare import Difference
from brinkmanship.analysis.montecarlo import Job, run_chunk
from brinkmanship.analysis.stats import wilson
from brinkmanship.analysis.sweep import Axis, make_spec, prepare, run_local
from brinkmanship.cli import main
from brinkmanship.engine.batch.engine import BatchEngine
from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.report import charts
from brinkmanship.report.escalation import fan, tracked_chunk
from brinkmanship.scenario.loader import load_scenario
from cli_runner import run_brink

DATA = Path(__file__).parent / "data"
HOSTILE = str(DATA / "hostile.yaml")
RUNS, SEED = 60, 3
AXES = (Axis("incident_rate", 0.0, 0.04, 3), Axis("letter_misread", 0.0, 0.5, 2))


class Page(HTMLParser):
    """What the tests look at in a report: tags with attributes, script bodies, table rows."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.rows: dict[str, list[list[str]]] = {}
        self._table = ""
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._script: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "table":
            self._table = a.get("id") or a.get("data-intervention") or ""
            self.rows.setdefault(self._table, [])
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "script":
            self._script = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows[self._table].append(self._row)
            self._row = None
        elif tag == "script" and self._script is not None:
            self.scripts.append("".join(self._script))
            self._script = None

    def handle_data(self, data: str) -> None:
        for part in (self._cell, self._script):
            if part is not None:
                part.append(data)

    def data(self) -> dict[str, Any]:
        (block,) = self.scripts
        parsed: dict[str, Any] = json.loads(block)
        return parsed


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small grid sweep of standoff made with the sweep code itself."""
    out = tmp_path_factory.mktemp("sweep") / "s"
    sc = load_scenario("standoff")
    spec = make_spec("standoff", SEED, 30, 30, (), (), AXES, list(sc.parameters), None)
    run_local(spec, out, prepare(spec, out, resume=False), workers=1)
    return out


@pytest.fixture(scope="module")
def report(sweep_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.html"
    args = ["report", "standoff", "--runs", str(RUNS), "--seed", str(SEED)]
    args += ["--sweep", str(sweep_dir), "--html", str(out), "--workers", "2"]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sys, "argv", ["brink", *args])
        with pytest.raises(SystemExit) as done:
            main()
    assert done.value.code in (0, None)
    return out


def test_report_is_self_contained(report: Path) -> None:
    text = report.read_text(encoding="utf-8")
    page = parse(report)
    for tag, attrs in page.tags:
        for name in ("src", "href", "xlink:href", "data", "action", "srcset"):
            value = (attrs.get(name) or "").strip()
            assert not re.match(r"^(https?:)?//", value), f"<{tag} {name}={value}>"
        if tag == "script":
            assert attrs.get("type") == "application/json" and "src" not in attrs
        assert tag not in ("link", "iframe", "object", "embed", "img")
    assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", text)
    assert text.count("<svg") == 6  # outcomes, resolution, fan, comparison, response, tornado


def test_outcomes_match_brink_mc_json(
    report: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run_brink(
        ["mc", "standoff", "--runs", str(RUNS), "--seed", str(SEED), "--json"], capsys, monkeypatch
    )
    assert code == 0
    mc = json.loads(out)
    page = parse(report)
    data = page.data()
    for key in ("scenario", "runs", "seed", "policies", "interventions"):
        assert data[key] == mc[key], key
    assert set(data["outcomes"]) == set(mc["outcomes"])
    for oid, expected in mc["outcomes"].items():
        for key in ("class", "count", "p", "ci_low", "ci_high"):
            assert data["outcomes"][oid][key] == expected[key], (oid, key)
    ids = {o.label: o.id for o in load_scenario("standoff").outcomes.values()}
    rows = {ids[r[0]]: r for r in page.rows["outcome-table"][1:]}  # labels shown, not ids
    assert sum(o["count"] for o in mc["outcomes"].values()) == RUNS
    for oid, expected in mc["outcomes"].items():
        assert rows[oid][2] == str(expected["count"])
        assert rows[oid][3] == f"{expected['p']:.3f}"
        assert rows[oid][4] == f"{expected['ci_low']:.3f}–{expected['ci_high']:.3f}"


def test_time_to_resolution_matches_brink_mc_json(
    report: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The resolution chart's data: per class, the decided tick of every run in it; for a
    class of one outcome, its median is the one `brink mc` gives."""
    code, out, _ = run_brink(
        ["mc", "standoff", "--runs", str(RUNS), "--seed", str(SEED), "--json"], capsys, monkeypatch
    )
    assert code == 0
    mc = json.loads(out)["outcomes"]
    decided = parse(report).data()["decided_ticks"]
    sc = load_scenario("standoff")
    for cls, ticks in decided.items():
        members = [o.id for o in sc.outcomes.values() if o.cls.value == cls]
        assert len(ticks) == sum(mc[o]["count"] for o in members)
        if len(members) == 1 and ticks:
            hours = statistics.median(ticks) * sc.tick_hours
            assert hours == pytest.approx(mc[members[0]]["hours_to_resolution"]["median"])


def test_comparison_matches_brink_compare_json(
    report: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["compare", "standoff", "-i", "hotline", "-i", "hair-trigger"]
    code, out, _ = run_brink(
        [*args, "--runs", str(RUNS), "--seed", str(SEED), "--json"], capsys, monkeypatch
    )
    assert code == 0
    expected = json.loads(out)["interventions"]
    page = parse(report)
    data = page.data()
    # by default every intervention of standoff is compared (none conflicts with the baseline)
    assert set(data["comparisons"]) == set(load_scenario("standoff").interventions)
    for name in ("hotline", "hair-trigger"):
        assert data["comparisons"][name] == expected[name]
        ids = {o.label: o.id for o in load_scenario("standoff").outcomes.values()}
        rows = {ids[r[0]]: r for r in page.rows[name][1:]}
        for oid, d in expected[name].items():
            assert rows[oid][3] == f"{d['diff']:+.3f}"
            assert rows[oid][4] == f"{d['ci_low']:+.3f} … {d['ci_high']:+.3f}"


def test_response_curves_match_the_sweep_parts(report: Path, sweep_dir: Path) -> None:
    """Every swept parameter at every value: the pooled probability of the targets, with
    its Wilson interval, recomputed here from the parts."""
    rows = [
        row
        for part in sorted((sweep_dir / "parts").glob("*.parquet"))
        for row in pq.read_table(part).to_pylist()
    ]
    war = set(parse(report).data()["tornado"]["targets"])
    curves = {c["param"]: c for c in parse(report).data()["response_curves"]}
    assert set(curves) == {a.name for a in AXES}
    for axis in AXES:
        values = sorted({r[axis.name] for r in rows})
        assert [p["low"] for p in curves[axis.name]["points"]] == values
        for point, value in zip(curves[axis.name]["points"], values, strict=True):
            mine = [r for r in rows if r[axis.name] == value]
            hits = sum(r["outcome"] in war for r in mine)
            assert point["runs"] == len(mine)
            assert point["p"] == pytest.approx(hits / len(mine))
            assert tuple(point["ci"]) == pytest.approx(wilson(hits, len(mine)))


def test_tornado_matches_the_sweep_parts(report: Path, sweep_dir: Path) -> None:
    rows = [
        row
        for part in sorted((sweep_dir / "parts").glob("*.parquet"))
        for row in pq.read_table(part).to_pylist()
    ]
    sc = load_scenario("standoff")
    war = {o.id for o in sc.outcomes.values() if o.cls.value.endswith(("war", "nuclear_use"))}
    tornado = parse(report).data()["tornado"]
    assert set(tornado["targets"]) == war
    bars = {b["param"]: b for b in tornado["bars"]}
    assert set(bars) == {a.name for a in AXES}
    for axis in AXES:
        for end, value in (("low", axis.low), ("high", axis.high)):
            mine = [r for r in rows if r[axis.name] == value]
            hits = sum(r["outcome"] in war for r in mine)
            assert bars[axis.name][f"n_{end}"] == len(mine)
            assert bars[axis.name][f"p_{end}"] == pytest.approx(hits / len(mine))
    swings = [abs(b["swing"]) for b in tornado["bars"]]
    assert swings == sorted(swings, reverse=True)
    assert tornado["overall"] == pytest.approx(sum(r["outcome"] in war for r in rows) / len(rows))


def test_assumptions_are_printed(report: Path, sweep_dir: Path) -> None:
    text = report.read_text(encoding="utf-8")
    page = parse(report)
    assumptions = {r[0]: r[1] for r in page.rows["assumption-table"]}
    assert assumptions["seed"] == str(SEED)
    assert assumptions["runs"].startswith(f"{RUNS} per arm")
    assert "west=" in assumptions["policies"] and "east=" in assumptions["policies"]
    params = {r[0]: r[1] for r in page.rows["parameter-table"][1:]}
    sc = load_scenario("standoff")
    assert params == {n: f"{p.value:g}" for n, p in sc.parameters.items()}
    command = page.data()["command"]
    assert command.startswith("brink report standoff --runs 60 --seed 3 --policy ")
    assert f"--sweep {sweep_dir}" in command and "--compare hotline" in command
    assert command in text
    for section in ("outcomes", "escalation", "counterfactuals", "sensitivity", "assumptions"):
        assert f'<section id="{section}">' in text


def test_escalation_runs_are_the_analysis_runs_and_the_fan_is_ordered() -> None:
    job = Job("standoff", SEED)
    summaries, series = tracked_chunk(job, 5, 25)
    assert summaries == run_chunk(job, 5, 25)
    sc = load_scenario("standoff")
    assert series.shape == (20, sc.horizon_ticks + 1)
    for row, s in zip(series, summaries, strict=True):
        assert s.peak_escalation is not None and row.max() >= s.peak_escalation
        assert (row[s.tick :] == row[s.tick]).all()  # an ended run keeps its last value
    bands = fan(series, summaries)
    assert bands is not None
    order = ["p5", "p25", "p50", "p75", "p95"]
    for t in range(len(bands.ticks)):
        values = [bands.bands[q][t] for q in order]
        assert values == sorted(values)
    assert bands.running[0] <= 1 and bands.running[-1] == 0
    assert all(a >= b for a, b in zip(bands.running, bands.running[1:], strict=False))


def test_same_inputs_give_the_same_bytes_however_split(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = []
    for workers in ("1", "2"):
        where = tmp_path / workers
        where.mkdir()
        monkeypatch.chdir(where)
        args = ["report", "standoff", "--runs", "30", "--seed", "9", "-c", "calm-seas"]
        code, _, err = run_brink(
            [*args, "--html", "r.html", "--workers", workers], capsys, monkeypatch
        )
        assert code == 0, err
        texts.append((where / "r.html").read_text(encoding="utf-8"))
    assert texts[0] == texts[1]


def test_the_engine_is_honoured_and_gives_the_same_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    runs, ran = 30, []  # (engine, interventions, runs) of every untracked chunk
    for name, cls in (("batch", BatchEngine), ("reference", ReferenceEngine)):
        real = cls.run

        def spy(self: Any, *args: Any, _real: Any = real, _name: str = name, **kw: Any) -> Any:
            ran.append((_name, self.sc.applied, args))
            return _real(self, *args, **kw)

        monkeypatch.setattr(cls, "run", spy)
    texts, data = {}, {}
    for engine in ("reference", "batch"):
        out = tmp_path / f"{engine}.html"
        args = ["report", "standoff", "--runs", str(runs), "-c", "hotline", "--engine", engine]
        ran.clear()
        code, _, err = run_brink([*args, "--html", str(out), "--workers", "1"], capsys, monkeypatch)
        assert code == 0, err
        used = {(e, applied) for e, applied, _ in ran}
        if engine == "batch":  # the baseline again and the arm, on the batch engine only
            assert used == {("batch", ()), ("batch", ("hotline",))}
        else:  # the arm run by run (the baseline is the tracked runs)
            assert used == {("reference", ("hotline",))} and len(ran) == runs
        page = parse(out)
        data[engine] = page.data()
        assumptions = {r[0]: r[1] for r in page.rows["assumption-table"]}
        assert f"outcomes and comparisons: the {engine} engine" in assumptions["engine"]
        assert "escalation fan: the reference engine" in assumptions["engine"]
        assert data[engine]["engine"] == engine
        assert data[engine]["escalation_fan_engine"] == "reference"
        assert f"--engine {engine}" in data[engine]["command"]
        texts[engine] = out.read_text(encoding="utf-8")
    ignore = ("engine", "command")
    same = [{k: v for k, v in d.items() if k not in ignore} for d in data.values()]
    assert same[0] == same[1]
    svgs = [re.findall(r"<svg.*?</svg>", t, re.S) for t in texts.values()]
    assert svgs[0] == svgs[1] and len(svgs[0]) == 4  # outcomes, time to resolution, fan, comparison


def test_hostile_text_is_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "hostile.html"
    code, _, err = run_brink(
        ["report", HOSTILE, "--runs", "40", "--html", str(out)], capsys, monkeypatch
    )
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    for raw in ("<script>alert", "<img src=x", "<iframe", "<a href='https", "<b>Nobody"):
        assert raw not in text
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt; &amp; &#34;quotes&#34;" in text
    assert "&lt;/script&gt;&lt;script&gt;alert(&#39;intervention&#39;)" in text
    page = parse(out)
    assert [t for t, _ in page.tags].count("script") == 1
    data = page.data()  # the JSON block survives intact, hostile title included
    assert data["title"] == load_scenario(HOSTILE).title
    assert list(data["comparisons"]) == ["loaded"]


def test_charts_show_dollar_signs_literally() -> None:
    sc = load_scenario(HOSTILE)
    diffs = [Difference(o, "settlement", 0.5, 0.4, -0.1, -0.2, 0.0, 0.15) for o in sc.outcomes]
    svg = charts.comparison_chart(sc, {r"$\frac{1}{$": diffs, "$x$": diffs})
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert charts.plain(r"$\frac$ $") == r"\$\frac\$ \$"


def _fails(
    args: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, err = run_brink(["report", *args], capsys, monkeypatch)
    assert code == 2, (args, err)
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert message in err, err
    assert "Traceback" not in err and out == ""


def test_bad_input_is_refused_and_nothing_is_written(
    sweep_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "r.html"
    html = ["--html", str(out), "--runs", "5"]
    not_sweep = tmp_path / "empty"
    not_sweep.mkdir()
    a_file = tmp_path / "file.txt"
    a_file.write_text("x", encoding="utf-8")
    coin_sweep = tmp_path / "coin-sweep"
    spec = make_spec(str(DATA / "coin.yaml"), 0, 4, 4, (), (), (Axis("p", 0, 1, 2),), ["p"], None)
    run_local(spec, coin_sweep, prepare(spec, coin_sweep, resume=False), workers=1)
    cases = [
        (["standoff", "--html", str(out), "--runs", "0"], "--runs must be at least 1"),
        (["standoff", *html, "-i", "nope"], "unknown intervention 'nope'"),
        (["standoff", *html, "--compare", "nope"], "unknown intervention 'nope' for --compare"),
        (["standoff", *html, "-i", "hair-trigger", "-c", "calm-seas"], "contradict"),
        (["standoff", *html, "--sweep", str(not_sweep)], "not a sweep directory"),
        (["standoff", *html, "--sweep", str(a_file)], "not a directory"),
        (["standoff", *html, "--sweep", str(coin_sweep)], "is a sweep of"),
        (["standoff", *html, "--sweep", str(sweep_dir), "--target", "nope"], "unknown outcome"),
        (["standoff", *html, "--target", "skirmish"], "give --sweep DIR"),
        (["standoff", *html, "-c", "hotline", "--no-compare"], "contradict each other"),
        (["standoff", "--html", str(tmp_path / "no" / "r.html")], "does not exist"),
        (["nowhere", *html], "unknown scenario"),
        (["standoff", *html, "--engine", "fast"], "unknown engine 'fast'"),
        (["standoff", *html, "--engine", "batch", "-p", "west=rational"], "--engine batch: policy"),
    ]
    for args, message in cases:
        _fails(args, message, capsys, monkeypatch)
        assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["coin-sweep", "empty", "file.txt"]


def test_an_existing_file_needs_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "r.html"
    out.write_text("keep me", encoding="utf-8")
    args = [str(DATA / "coin.yaml"), "--runs", "20", "--html", str(out)]
    _fails(args, "already exists; add --force", capsys, monkeypatch)
    assert out.read_text(encoding="utf-8") == "keep me"
    code, stdout, err = run_brink(["report", *args, "--force"], capsys, monkeypatch)
    assert code == 0, err
    assert stdout.startswith(f"{out}: coin, 20 runs")
    text = out.read_text(encoding="utf-8")
    assert "defines no escalation index" in text and "No interventions compared" in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html"]  # no temporary left
