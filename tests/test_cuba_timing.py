"""cuba-1962's timing answers what each side has heard: the ExComm drafts its answer after
the first letter arrives, RFK's assurance follows the answer, and Moscow rules after
hearing the answer, hurried by Castro's letter. So the settlement hour varies from run to
run, a hotline brings it forward, slower letters push it back, and a public trade (the
second letter's terms, accepted as soon as the answer is ready) settles sooner. Paired runs
(the same seed and run indices in both arms) and a sign test on the hour the settlement was
decided, |z| > 3."""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import numpy.typing as npt

from brinkmanship.engine.batch.engine import BatchEngine
from brinkmanship.policies.registry import batch_forms, policy_set
from brinkmanship.scenario.loader import load_scenario

RUNS = 500
SEED = 11


@cache
def decided(interventions: tuple[str, ...]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Per run: the tick its outcome was decided, and whether it was a settlement."""
    sc = load_scenario("cuba-1962", list(interventions))
    engine = BatchEngine(sc, batch_forms(sc, policy_set(sc, {}).specs))
    runs = engine.run(SEED, 0, RUNS)
    settled = np.array(
        [sc.outcomes[engine.outcomes[i]].cls.value == "settlement" for i in runs.outcome]
    )
    return runs.decided.copy(), settled


def sign_z(treated: tuple[str, ...]) -> float:
    """Sign test over the pairs settled in both arms: z > 0 when the treated arm settles
    later more often than earlier."""
    base, base_settled = decided(())
    other, other_settled = decided(treated)
    both = base_settled & other_settled
    later = int(np.sum(other[both] > base[both]))
    earlier = int(np.sum(other[both] < base[both]))
    return (later - earlier) / math.sqrt(later + earlier)


def test_the_settlement_hour_varies_within_the_plausible() -> None:
    sc = load_scenario("cuba-1962")
    ticks, settled = decided(())
    hours = ticks[settled]
    q1, q3 = np.percentile(hours, [25, 75])
    assert q1 < q3
    # Kennedy's answer went out on the evening of 27 Oct, the acceptance was heard on the
    # morning of 28 Oct: every settlement after the first letter and by the end of October
    assert sc.iso(int(hours.min())) > "1962-10-27T06:00"
    assert sc.iso(int(hours.max())) < "1962-11-01"


def test_a_hotline_settles_sooner() -> None:
    assert sign_z(("hotline",)) < -3


def test_slower_letters_settle_later() -> None:
    assert sign_z(("slow-letters",)) > 3


def test_a_public_trade_settles_sooner() -> None:
    assert sign_z(("public-trade",)) < -3
