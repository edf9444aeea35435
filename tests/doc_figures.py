"""The tables of figures the docs assemble from several arms of runs, made again from the runs.

A table the docs show under a line ``<!-- figure: NAME -->`` is what ``FIGURES[NAME]()``
returns: ``tests/test_docs_examples.py`` fails when the shown table is no longer that, and
``python tests/docs_examples.py`` writes the new table in its place (see that module). Each
figure plays its arms on the batch engine (identical run for run to the reference engine),
paired where it compares arms: the same seed and run indices in every arm, so common random
numbers.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from functools import cache

from brinkmanship.analysis.job import Job
from brinkmanship.analysis.montecarlo import run_chunk
from brinkmanship.analysis.stats import wilson
from brinkmanship.analysis.tally import RunSummary
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.loader import load_scenario
from paired import paired_z

CUBA = "cuba-1962"
NUCLEAR = frozenset({"tactical_nuclear_use", "general_nuclear_war"})
WAR = frozenset({"conventional_war", *NUCLEAR})
Arm = tuple[str, ...]


SHARED = {0: 2000, 11: 600}
"""Runs played per arm of a seed, whatever a figure asks, so that the figures of one seed
share their arms (run i is the same in any number of runs; an arm's set-up costs more than
its runs)."""


def runs(
    seed: int,
    n: int,
    interventions: Arm = (),
    policies: tuple[tuple[str, str], ...] = (),
    params: tuple[tuple[str, float], ...] = (),
    scenario: str = CUBA,
) -> tuple[RunSummary, ...]:
    """Runs 0..n-1 of ``scenario`` from ``seed`` on the batch engine."""
    played = _played(scenario, seed, max(n, SHARED.get(seed, n)), interventions, policies, params)
    return played[:n]


@cache
def _played(
    scenario: str,
    seed: int,
    n: int,
    interventions: Arm,
    policies: tuple[tuple[str, str], ...],
    params: tuple[tuple[str, float], ...],
) -> tuple[RunSummary, ...]:
    job = Job(scenario, seed, interventions, policies, params, engine="batch")
    return tuple(run_chunk(job, 0, n))


@cache
def _scenario(scenario: str) -> CompiledScenario:
    return load_scenario(scenario)


@cache
def _classes(scenario: str = CUBA) -> dict[str, str]:
    return {o.id: o.cls.value for o in _scenario(scenario).outcomes.values()}


def cls(r: RunSummary, scenario: str = CUBA) -> str:
    """The outcome class of a run."""
    return _classes(scenario)[r.outcome]


def _row(cells: Iterable[object]) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A Markdown table."""
    lines = [_row(header), _row("---" for _ in header), *(_row(r) for r in rows)]
    return "\n".join(lines) + "\n"


def signed(x: float, digits: int = 1) -> str:
    """``+1.2``, ``−1.2`` (a typographic minus), ``0``; ``±∞`` where every pair moved alike."""
    if math.isinf(x):
        return "+∞" if x > 0 else "−∞"
    text = f"{x:+.{digits}f}"
    if float(text) == 0:
        return "0"
    return text.replace("-", "−")


def pct(count: int, n: int) -> str:
    return f"{100 * count / n:.1f}%"


def share(count: int, n: int) -> str:
    """``4.3% (3.5–5.3%)``: the share with its 95% Wilson interval."""
    low, high = wilson(count, n)
    return f"{pct(count, n)} ({100 * low:.1f}–{100 * high:.1f}%)"


def prob(count: int, n: int) -> str:
    """``0.856``, or ``0`` for none."""
    return f"{count / n:.3f}" if count else "0"


def count_in(arm: Sequence[RunSummary], kinds: frozenset[str]) -> int:
    return sum(cls(r) in kinds for r in arm)


def _in(kinds: frozenset[str]) -> Callable[[RunSummary], float]:
    return lambda r: float(cls(r) in kinds)


def discordant(
    base: Sequence[RunSummary], treated: Sequence[RunSummary], kinds: frozenset[str]
) -> tuple[int, int, float]:
    """McNemar's b (in ``kinds`` only when treated), c (only in the baseline) and z."""
    pairs = list(zip(base, treated, strict=True))
    b = sum(cls(t) in kinds and cls(x) not in kinds for x, t in pairs)
    c = sum(cls(x) in kinds and cls(t) not in kinds for x, t in pairs)
    return b, c, (b - c) / math.sqrt(b + c) if b + c else 0.0


def _names(arm: Arm) -> str:
    return " + ".join(f"`{i}`" for i in arm) or "baseline"


# ------------------------------------------------------------------ docs/cuba-1962.md

BASELINE_ROWS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("negotiated settlement (secret Jupiter removal)", ("settlement",)),
    ("public trade", ("public_trade",)),
    ("settlement for the pledge alone", ("settlement_pledge",)),
    ("limited strike on the SA-2 sites, no nuclear use", ("limited_strike",)),
    (
        "air strike on the missiles / invasion / war beyond Cuba, no nuclear use",
        ("air_strike_war", "invasion_war", "war_beyond_cuba"),
    ),
    ("tactical nuclear use (the President answers without nuclear weapons)", ("tactical_use",)),
    ("nuclear war in the theatre", ("theatre_war",)),
    ("nuclear incident after the deal", ("incident_after_deal",)),
    ("general nuclear war", ("general_war",)),
)


def cuba_baseline() -> str:
    """Historical policies, seed 0, runs 0–1999: each outcome's share, then any nuclear use
    and any war. An outcome no row names gets a row of its own when a run ends in it."""
    arm = runs(0, 2000)
    n = len(arm)
    counts = Counter(r.outcome for r in arm)
    named = {o for _, ids in BASELINE_ROWS for o in ids}
    rows: list[list[object]] = []
    for label, ids in [
        *BASELINE_ROWS,
        *((f"`{o}`", (o,)) for o in sorted(counts) if o not in named),
    ]:
        kinds = {_classes()[o] for o in ids}
        total = sum(counts[o] for o in ids)
        if not total and len(ids) == 1 and label != BASELINE_ROWS[0][0]:
            continue
        k = " / ".join(f"{counts[o]:,}" for o in ids)
        rows.append([label, " / ".join(sorted(kinds)), k, share(total, n)])
    nuclear, war = count_in(arm, NUCLEAR), count_in(arm, WAR)
    rows.append(["any nuclear use", "", f"{nuclear:,}", f"**{share(nuclear, n)}**"])
    rows.append(["any war (conventional or nuclear)", "", f"{war:,}", f"**{share(war, n)}**"])
    return table(["outcome", "class", "runs", "share (95% CI)"], rows)


VALIDITY_ARMS: tuple[Arm, ...] = (
    ("airstrike",),
    ("no-arkhipov",),
    ("invasion",),
    ("no-secret-deal",),
    ("blockade",),
    ("public-trade",),
    ("do-nothing",),
    ("local-authority",),
    ("hotline",),
    ("slow-letters",),
)


def cuba_validity() -> str:
    """Nuclear use under each intervention against the baseline: seed 0, runs 0–599, paired;
    McNemar's discordant pairs and z (tests/test_cuba_1962.py's runs)."""
    base = runs(0, 600)
    rows = []
    for arm in VALIDITY_ARMS:
        treated = runs(0, 600, arm)
        b, c, z = discordant(base, treated, NUCLEAR)
        n = len(base)
        p, p0 = count_in(treated, NUCLEAR), count_in(base, NUCLEAR)
        rows.append([_names(arm), pct(p, n), pct(p0, n), f"{b} / {c}", signed(z)])
    header = ["intervention", "P(nuclear use)", "baseline (same runs)"]
    return table([*header, "discordant pairs b / c", "McNemar z"], rows)


DIRECTION_ARMS: tuple[tuple[Arm, Arm], ...] = (
    *(((), arm) for arm in (("invasion",), ("airstrike",), ("no-arkhipov",))),
    (("invasion",), ("invasion", "local-authority")),
    (("airstrike",), ("airstrike", "local-authority")),
    *(
        ((), arm)
        for arm in (
            ("no-secret-deal",),
            ("blockade",),
            ("public-trade",),
            ("do-nothing",),
            ("slow-letters",),
            ("hotline",),
            ("local-authority",),
        )
    ),
)


def cuba_directions() -> str:
    """The paired z (treated − baseline) of war, nuclear use and settlement under each
    intervention: seed 11, runs 0–599 (tests/test_cuba_interventions.py's runs)."""
    rows = []
    for base_arm, arm in DIRECTION_ARMS:
        base, treated = runs(11, 600, base_arm), runs(11, 600, arm)
        kinds = (WAR, NUCLEAR, frozenset({"settlement"}))
        zs = [signed(paired_z(base, treated, _in(k))) for k in kinds]
        rows.append([_names(arm), _names(base_arm), *zs])
    return table(["arm", "against", "war z", "nuclear use z", "settlement z"], rows)


def _when(tick: float) -> str:
    """A tick of cuba-1962 as its local time, ``28 Oct 11:00``."""
    return datetime.fromisoformat(_scenario(CUBA).iso(round(tick))).strftime("%d %b %H:%M")


def _quartiles(values: Sequence[int]) -> tuple[float, float, float]:
    s = sorted(values)

    def at(q: float) -> float:  # linear interpolation, as numpy's default percentile
        x = q * (len(s) - 1)
        lo = math.floor(x)
        return s[lo] + (s[min(lo + 1, len(s) - 1)] - s[lo]) * (x - lo)

    return at(0.25), at(0.5), at(0.75)


def cuba_timing() -> str:
    """The hour each settlement was decided, seed 11, runs 0–499 (tests/test_cuba_timing.py's
    runs): the middle half and median of the settled runs, a sign test over the pairs settled
    in both arms, and McNemar on war."""
    base = runs(11, 500)
    rows = []
    for arm in ((), ("hotline",), ("slow-letters",), ("public-trade",)):
        treated = runs(11, 500, arm)
        hours = [r.decided if r.decided is not None else r.tick for r in treated]
        settled = [h for r, h in zip(treated, hours, strict=True) if cls(r) == "settlement"]
        q1, med, q3 = _quartiles(settled)
        cells: list[object] = [_names(arm), len(settled), f"{_when(q1)} – {_when(q3)}", _when(med)]
        if arm:
            both = [
                (b.decided, t.decided)
                for b, t in zip(base, treated, strict=True)
                if cls(b) == cls(t) == "settlement"
            ]
            earlier = sum(1 for b, t in both if t is not None and b is not None and t < b)
            later = sum(1 for b, t in both if t is not None and b is not None and t > b)
            sign = (later - earlier) / math.sqrt(later + earlier) if later + earlier else 0.0
            b, c, z = discordant(base, treated, WAR)
            cells += [f"{earlier} / {later}", signed(sign), f"{b} / {c}", signed(z)]
        else:
            cells += ["—"] * 4
        rows.append(cells)
    header = ["arm", "settled", "middle half (decided)", "median", "earlier / later"]
    return table([*header, "sign z", "war: more / fewer", "McNemar z"], rows)


def cuba_war() -> str:
    """Conventional war by kind, and nuclear use, after an attack: seed 0, runs 0–999."""
    kinds = ("limited_strike", "air_strike_war", "invasion_war", "war_beyond_cuba")
    rows = []
    for arm in ((), ("airstrike",), ("invasion",), ("invasion", "local-authority")):
        treated = runs(0, 1000, arm)
        n = len(treated)
        counts = Counter(r.outcome for r in treated)
        general = sum(cls(r) == "general_nuclear_war" for r in treated)
        tactical = sum(cls(r) == "tactical_nuclear_use" for r in treated)
        conventional = sum(cls(r) == "conventional_war" for r in treated)
        split = " / ".join(str(counts[k]) for k in kinds)
        rows.append([_names(arm), pct(conventional, n), split, pct(tactical, n), pct(general, n)])
    header = [
        "",
        "conventional war",
        "of which limited strike / air strike / invasion / beyond Cuba",
    ]
    return table([*header, "tactical or theatre nuclear use", "general war"], rows)


def cuba_estimates() -> str:
    """Nuclear use and any war, baseline and the choices the historical policies rule out
    (seed 0, runs 0–1999), and a mixture that gives the air strike a 30% chance."""
    arms = {arm: runs(0, 2000, arm) for arm in ((), ("airstrike",), ("no-secret-deal",))}
    rows: list[list[object]] = []
    shares = {}
    for arm, done in arms.items():
        n = len(done)
        shares[arm] = (count_in(done, NUCLEAR) / n, count_in(done, WAR) / n)
        rows.append([_names(arm), *(f"{100 * s:.1f}%" for s in shares[arm])])
    mix = [0.3 * a + 0.7 * b for a, b in zip(shares[("airstrike",)], shares[()], strict=True)]
    rows.append(["0.3 × `airstrike` + 0.7 × baseline", *(f"{100 * s:.1f}%" for s in mix)])
    return table(["arm", "nuclear use", "any war"], rows)


MODEL_II: tuple[tuple[str, tuple[tuple[str, str], ...], Arm], ...] = (
    ("`us=organizational`", (("us", "organizational"),), ()),
    ("`su=organizational`", (("su", "organizational"),), ()),
    ("`su=organizational`, `-i airstrike`", (("su", "organizational"),), ("airstrike",)),
    ("both", (("su", "organizational"), ("us", "organizational")), ()),
)


def cuba_model_ii() -> str:
    """Allison's Model II for each side: seed 0, runs 0–999."""
    rows = []
    for label, policies, arm in MODEL_II:
        done = runs(0, 1000, arm, policies)
        n = len(done)
        counts = Counter(r.outcome for r in done)
        c = Counter(cls(r) for r in done)
        nuclear = c["tactical_nuclear_use"] + c["general_nuclear_war"]
        rows.append(
            [
                label,
                prob(c["settlement"], n),
                prob(c["conventional_war"], n),
                prob(nuclear, n),
                prob(c["general_nuclear_war"], n),
                counts["incident_after_deal"],
            ]
        )
    header = ["policies", "settlement", "conventional war", "nuclear use", "general war"]
    return table([*header, "incidents after the deal (runs)"], rows)


# ------------------------------------------------------------------- docs/policies.md


def cuba_hawks() -> str:
    """Model III (``-p us=political``) at four air-strike influences: seed 0, runs 0–999."""
    classes = ("settlement", "conventional_war", "tactical_nuclear_use", "general_nuclear_war")
    rows = []
    for value in (0.5, 1.0, 2.0, 3.0):
        done = runs(0, 1000, (), (("us", "political"),), (("hawk_influence", value),))
        c = Counter(cls(r) for r in done)
        label = f"{value}" + (" (default)" if value == 1.0 else "")
        rows.append([label, *(prob(c[k], len(done)) for k in (*classes, "unresolved"))])
    header = ["`hawk_influence`", "settlement", "conventional war", "tactical nuclear use"]
    return table([*header, "general nuclear war", "unresolved"], rows)


# ----------------------------------------------------------- docs/able-archer-1983.md

ABLE_ARCHER = "able-archer-1983"


def _war(done: Sequence[RunSummary], scenario: str) -> str:
    """``38 (0.95%, 0.69–1.30%)``: the runs at war, their share and its 95% Wilson interval."""
    k, n = sum(cls(r, scenario) in NUCLEAR for r in done), len(done)
    low, high = wilson(k, n)
    return f"{k:,} ({100 * k / n:.2f}%, {100 * low:.2f}–{100 * high:.2f}%)"


def able_archer_readings() -> str:
    """War at the three readings of the war scare (``scare_real``), on the historical path and
    under ``counter-alert``: seed 0, runs 0–3999."""
    rows = []
    for reading, value in (("Miles", 0.0), ("middle (Barrass)", 0.5), ("Fischer, Jones", 1.0)):
        params = (("scare_real", value),)
        cells = [
            _war(runs(0, 4000, arm, (), params, ABLE_ARCHER), ABLE_ARCHER)
            for arm in ((), ("counter-alert",))
        ]
        rows.append([reading, f"{value:g}", *cells])
    return table(["reading", "`scare_real`", "war, historical path", "war, `counter-alert`"], rows)


ABLE_ARCHER_ARMS: tuple[tuple[Arm, tuple[tuple[str, float], ...]], ...] = (
    ((), ()),
    (("counter-alert",), ()),
    (("no-gordievsky",), ()),
    (("counter-alert", "no-gordievsky"), ()),
    ((), (("exercise_start_h", 36),)),
    (("counter-alert",), (("exercise_start_h", 36),)),
    ((), (("preempt_rate", 0.003),)),
    (("counter-alert",), (("counter_mult", 1),)),
    (("counter-alert",), (("counter_mult", 4),)),
    (("counter-alert",), (("p_washington_discounts", 0),)),
    (("counter-alert",), (("p_washington_discounts", 0.7),)),
    (("counter-alert",), (("telegram_lag_h", 12),)),
    (("counter-alert",), (("telegram_lag_h", 60),)),
)


def able_archer_arms() -> str:
    """War under the interventions and at other parameter values: seed 0, runs 0–3999."""
    rows = []
    for arm, params in ABLE_ARCHER_ARMS:
        done = runs(0, 4000, arm, (), params, ABLE_ARCHER)
        values = ", ".join(f"`{k}` = {v:g}" for k, v in params) or "—"
        rows.append([_names(arm), values, _war(done, ABLE_ARCHER)])
    return table(["arm", "parameters", "war (95% CI)"], rows)


FIGURES: dict[str, Callable[[], str]] = {
    "cuba-baseline": cuba_baseline,
    "cuba-validity": cuba_validity,
    "cuba-directions": cuba_directions,
    "cuba-timing": cuba_timing,
    "cuba-war": cuba_war,
    "cuba-estimates": cuba_estimates,
    "cuba-model-ii": cuba_model_ii,
    "cuba-hawks": cuba_hawks,
    "able-archer-readings": able_archer_readings,
    "able-archer-arms": able_archer_arms,
}
"""Each figure a doc shows under ``<!-- figure: NAME -->``, by name."""
