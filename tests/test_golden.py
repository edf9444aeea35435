"""Trajectories are the recorded ones: a change that must not change results (the
restructuring of the tick, the policies and the batch layout was held to the value recorded
on commit 25bb9ab) is held to it."""

from __future__ import annotations

from golden import digest

RECORDED = "e802d68f37590b0aea9a24ecb7e6062a667534ffd049e1772725df44e31a17e7"
"""``python tests/golden.py``. A change that is meant to change results records the new value
here, and its commit message says which results changed and why. History: 25bb9ab
(``daa88662…``); cuba-1962's script premises (``9a38afa9…``); texts without clock times,
delivery times as people write them, F2's JCS hour (``d9835807…``); members with no view
give no counsel line (``6d456448…``); the invasion intervention (``42f3a088…``); forces
that cannot hear, settlements waiting on them (``db211f87…``); cuba-1962's meetings and
attendance, the 22-23 Oct stances, Model II repertoires for us and su and their policy set
(``628e718e…``); Model II's Gromyko at his scheduled call (``7d921bbe…``); petrov-1983
added, cuba-1962 and standoff unchanged (``06898bda…``); able-archer-1983
added, the others unchanged (``651f8f10…``); its outcome text and Reagan's diary
(``627f5ad0…``); petrov-1983's reasons reworded (``ef2a4362…``); its Ustinov named as the
fact sheet names him (``3273de31…``); cuba-1962's Fomin feeler delivered
as his, not Khrushchev's (F4; texts only, ``5d593bf0…``); cuba-1962's timing that
responds: the answers drafted after the letters arrive, Moscow ruling after hearing the
answer, the Joint Chiefs' deadline from their recommendation (``490e448a…``); cuba-1962's
mechanisms, named on its outcome lines, nothing else changed (``5b7e8df6…``); the letters of
22-25 October as messages (``fb09837f…``); Model II answering
them (``5eee7794…``); cuba-1962's war that unfolds: answers to an attack as decisions,
the nuclear ladder, outcomes that tell a limited strike, an air strike and an invasion
apart (``27dfec8b…``); every variable read or removed: cuba-1962's ships en route falling
with the line's events, Castro refusing UN inspection on 31 October, six unread variables
gone; petrov-1983's and able-archer-1983's unread variables gone, await_confirmation
waiting for the telescope; standoff's West paying for its commitment (``63ab7894…``);
cuba-1962's Model II President answering the nuclear ladder by his war plans
(``b64c0665…``); Gromyko's reason to settle after a strike, counsel lines only
(``b1c62ff5…``); the ExComm arguing the options on 17-19 October: Model III
decides on 17 October, Bundy's counsel cites C12, the choices' texts name Kennedy, not the
NSC meeting (``c9c0e4dd…``); Model II's Moscow answering US nuclear strikes by its
strategic forces' plan (``f6205fbd…``); a historian's reading of cuba-1962: under
local-authority Moscow no longer withholds an authority already delegated, Robert Kennedy
away only for the hour of his meeting with Dobrynin, a war with an invasion ordered waits
for the landing or a deal, the invasion order its own mechanism, 16 October's "not at all"
(``bb4d683a…``); cuba-1962's private letters seen only by their sender until they arrive:
policies that answer what they see (tit-for-tat, the dove's Gromyko) no longer answer a
letter they could not have read (``dd584d04…``); cuba-1962's evening meeting of 16 October
as a US decision, with McNamara's and the Chiefs' dated views (F9, F12), and the options'
action channel: Model III decides at the NSC of 20 October again (``80e61eed…``);
cuba-1962's letters under hotline say they go over it, transit times and Kennedy's mention
of the second letter told as history, Robert Kennedy's meeting with Dobrynin a pure message
again (no meeting code 10, no "rejoins" line; ``4b0cce08…``); texts that speak of the world
('Counterfactual:' for 'In this run', no 'modelled'), the ExComm meeting only once
convened and Gromyko's 'defensive' only before a strike or a deal (``d406de2b…``);
cuba-1962's counsel at the decisions from 24 October and Malinovsky's and the night
session's in Moscow: Model III no longer makes the public trade, strikes at the Joint
Chiefs' deadline, and Moscow's repels a strike with the Cubans (``2e2187d9…``); a policy's
reason as a sentence after its action's text ('… Reason: …'), and a public message's
delivery said to reach every side (``1ca8b079…``); the ExComm in session at once after a US
attack and counsel at the telegram of 23 October, the photographs at the UN and a second
plane lost: trajectories gain counsel lines and the meeting code, Model III follows the new
counsel (``856a4488…``); a historian's second reading: one deliberation per answer in
Moscow (Castro's letter after the answer no longer starts a second), SAC's "only time" and
Marucla's "only ship boarded" told as history, the counterfactual marker at the start of
every off-record text and outcome (no repeat in the reasons), B-59 cornered "after the US
attack", not "at war", the settlement's text no longer putting the acceptance on Radio
Moscow in hotline runs, and under Model III the Presidium's night-session order pressed at
a strike with ``p_presidium_repel``; Model III's standard course held by a closed action
channel changes none of them (``15783dd6…``); cuba-1962's second letter only before
Kennedy's answer is heard in Moscow, the Presidium that will not settle without the Jupiters
asking for them in its answer instead, and Moscow's reason for settling without Robert
Kennedy's word: under hotline and Model III more runs settle for the pledge alone
(``c63e7dfc…``); Gromyko's counsel at his call on the President and at the answer of 23
October: counsel lines, and Model III for the Soviet side (``f062798f…``); deliveries and
delayed effects in plain words ("President Kennedy receives an offer from Khrushchev by
letter (…), sent …", "Carried out: …"): texts only, the digest without texts unchanged
(``7a8c89e6…``); the public trade's outcome text without "audience costs" (texts only,
``34a0c1e4…``); the Joint Chiefs' recommendation of strike and invasion seen inside the US
government only: a tit-for-tat Moscow no longer answers it in kind under the airstrike,
blockade and invasion interventions (``ba2771b9…``); a meeting in person heard in the hour
it happens and its recipient seeing it, a private message's arrival no longer told to its
sender: delivery times, texts and audiences only, no outcome, time or choice moved
(``649e0242…``)."""


def test_every_trajectory_is_the_recorded_one() -> None:
    assert digest() == RECORDED
