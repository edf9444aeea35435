"""cuba-1962's mechanisms (docs/cuba-1962.md, "Where the risk comes from"): every run that
ends in war, conventional or nuclear, is put down to a named mechanism, under every
intervention, never to the default "other"."""

from __future__ import annotations

from collections import Counter

import pytest

from brinkmanship.analysis.montecarlo import Job, tally_chunk
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.loader import load_scenario

RUNS = 2000
WAR = ("conventional_war", "tactical_nuclear_use", "general_nuclear_war")
INTERVENTIONS = (None, *sorted(load_scenario("cuba-1962").interventions))


def by_class(sc: CompiledScenario, interventions: tuple[str, ...]) -> Counter[tuple[str, str]]:
    """Runs 0..RUNS-1 (seed 0) counted by (outcome class, mechanism)."""
    tally = tally_chunk(Job("cuba-1962", 0, interventions, engine="batch"), 0, RUNS)
    out: Counter[tuple[str, str]] = Counter()
    for (outcome, mechanism), count in tally.mechanisms.items():
        out[sc.outcomes[outcome].cls.value, mechanism] += count
    assert sum(out.values()) == RUNS  # every run is attributed
    return out


@pytest.mark.parametrize("intervention", INTERVENTIONS)
def test_every_war_has_a_named_mechanism(intervention: str | None) -> None:
    interventions = () if intervention is None else (intervention,)
    sc = load_scenario("cuba-1962", interventions)
    counted = by_class(sc, interventions)
    default = sc.default_mechanism
    assert default is not None
    unnamed = {k: c for k, c in counted.items() if k[0] in WAR and k[1] == default.id}
    assert not unnamed, unnamed


def test_the_baseline_risk_comes_from_where_the_record_puts_it(cuba: CompiledScenario) -> None:
    """On the historical path nuclear use comes mostly from B-59 and conventional war mostly
    from the shoot-downs; the settlement mostly from Khrushchev's acceptance of the reply."""
    counted = by_class(cuba, ())
    nuclear = Counter(
        {m: c for (cls, m), c in counted.items() if cls in WAR[1:]},
    )
    conventional = Counter({m: c for (cls, m), c in counted.items() if cls == WAR[0]})
    assert nuclear.most_common(1)[0][0] == "b59"
    assert conventional.most_common(1)[0][0] == "shootdowns"
    assert {m for cls, m in counted if cls == "settlement"} >= {"reply_accepted"}
