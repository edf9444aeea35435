"""The batch engine against the reference engine on generated scenarios: for random but
valid scenario documents (``scenario_strategies``), several seeds and run indices and a
random mix of policies, both engines give the same outcomes, times, peaks, utilities,
events and choices, and the same division-by-zero errors on the same runs."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from batch_compare import assert_identical, policy_choices
from scenario_strategies import Doc, load_document, scenario_documents


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    doc=scenario_documents(),
    data=st.data(),
    seeds=st.lists(st.integers(0, 2**63 - 1), min_size=1, max_size=2),
    first=st.integers(0, 2**32),
)
def test_generated_scenarios_match_the_reference(
    doc: Doc, data: st.DataObject, seeds: list[int], first: int
) -> None:
    sc = load_document(doc)
    specs = {a: data.draw(st.sampled_from(policy_choices(sc, a)), label=a) for a in sc.actors}
    for seed in seeds:
        assert_identical(sc, specs, seed, range(first, first + 3))
