"""A class in real browsers (Playwright, Debian's Chromium, headless): three students in
three browser contexts play one game to its end while their pages follow each other live
(server-sent events), one of them never answering so that its timer runs out and its
fallback decides; and a teacher sets up a class from the form and exports its records.
Screenshots go to artifacts/web-e2e/ (git-ignored)."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import httpx
import pyarrow.parquet as pq
from playwright.sync_api import Browser, Error, Page, ViewportSize

from brinkmanship.play.game import GameRecord
from brinkmanship.scenario.loader import load_scenario
from brinkmanship.web.local import LocalServer
from browsing import errors_of

SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "web-e2e"
VIEWPORT: ViewportSize = {"width": 1200, "height": 800}
TIMER = 4
"""Seconds per decision in the students' class: short, so the idle seat times out soon."""


def decide(page: Page) -> bool:
    """Take the first choice other than waiting (for a decision or for news), if the page
    asks for one; whether it did."""
    button = page.locator("#decide")
    if not button.count() or not button.is_enabled():
        return False
    acts = "#choose input[name=action]:not([value=wait]):not([value='wait.news'])"
    page.locator(acts).first.check()
    try:
        with page.expect_navigation(timeout=5000):
            button.click()
    except Error:  # refused (its time ran out meanwhile): the live page moves on by itself
        page.wait_for_load_state()
    return True


def test_three_students_play_one_game_to_the_end(server: LocalServer, browser: Browser) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    body = {
        "scenario": "cuba-1962",
        "games": 1,
        "seats": {"us": "student", "su": "student", "cuba": "student"},
        "timer": TIMER,
    }
    made = httpx.post(server.base + "/api/classes", json=body, timeout=30).json()
    game_id = made["games"][0]["id"]
    invites = made["games"][0]["seats"]
    pages: dict[str, Page] = {}
    errors: list[str] = []
    for seat in ("us", "su", "cuba"):
        page = browser.new_context(viewport=VIEWPORT).new_page()
        errors += errors_of(page)
        page.goto(server.base + invites[seat])
        assert page.url.endswith(f"/games/{game_id}"), "the invite's token left the address"
        assert page.locator("main[data-live]").get_attribute("data-seat") == seat
        pages[seat] = page

    # Nobody acts for a seat without its token: a fourth browser is refused.
    stranger = browser.new_context(viewport=VIEWPORT).new_page()
    refused = stranger.goto(server.base + f"/games/{game_id}")
    assert refused is not None and refused.status == 401
    stranger.context.close()

    # us and su decide as soon as their page asks; cuba never answers: its timer runs out.
    deadline = time.monotonic() + 50
    idle_seen = False
    while time.monotonic() < deadline:
        if all(p.locator("#outcome-h").count() for p in pages.values()):
            break
        acted = any([decide(pages["us"]), decide(pages["su"])])
        if pages["cuba"].locator("#decide").count():
            idle_seen = True
            countdown = pages["cuba"].locator("#countdown")
            assert countdown.count() and int(countdown.inner_text()) <= TIMER
        if not acted:
            time.sleep(0.3)
    for seat, page in pages.items():
        page.locator("#outcome-h").wait_for(timeout=10_000)
        assert page.locator("#outcome-h").inner_text().startswith("The end:"), seat
    pages["cuba"].screenshot(path=SHOTS / "class-1-the-end.png", full_page=True)
    assert idle_seen, "the idle seat was never asked"

    teacher = {"Authorization": f"Bearer {made['teacher_token']}"}
    raw = httpx.get(f"{server.base}/api/games/{game_id}/record", headers=teacher, timeout=10)
    record = GameRecord.model_validate(raw.json())
    assert record.seats == ["us", "su", "cuba"]
    assert any(m.seat == "cuba" and m.by == "fallback" for m in record.moves)
    assert any(m.seat == "us" and m.by == "player" for m in record.moves)
    assert any(m.seat == "su" and m.by == "player" for m in record.moves)
    for page in pages.values():
        page.context.close()
    assert errors == []


def test_a_student_gives_several_orders_on_the_seat_s_page(
    server: LocalServer, browser: Browser
) -> None:
    body = {"scenario": "cuba-1962", "games": 1, "seats": {"us": "student", "su": "student"}}
    made = httpx.post(server.base + "/api/classes", json=body, timeout=30).json()
    game_id, invites = made["games"][0]["id"], made["games"][0]["seats"]
    page = browser.new_context(viewport=VIEWPORT).new_page()
    errors = errors_of(page)
    page.goto(server.base + invites["us"])
    page.get_by_label("Convene the ExComm").check()
    page.select_option("#then-0", label="Choose the quarantine")
    page.select_option("#then-1", label="Wait until something happens")
    with page.expect_navigation():
        page.click("#decide")
    # the other student waits whenever asked, until the orders end and us is asked again
    su = {"Authorization": f"Bearer {invites['su'].split('token=', 1)[1]}"}
    api = f"{server.base}/api/games/{game_id}"
    while "us" not in (turn := httpx.get(api + "/turn", headers=su, timeout=10).json())["pending"]:
        body = {"action": "wait", "at_tick": turn["tick"]}
        assert httpx.post(api + "/choices", json=body, headers=su, timeout=10).status_code == 200
    report = page.locator(".orders").filter(has_text="Your orders: Convene the ExComm")
    report.wait_for(timeout=10_000)  # the page follows the game live
    said = report.inner_text()
    assert "Choose the quarantine" in said and "then waited until something happened" in said
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "class-3-orders.png", full_page=True)
    page.context.close()
    assert errors == []


def test_a_teacher_sets_up_a_class_and_exports_it(server: LocalServer, browser: Browser) -> None:
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    page = context.new_page()
    errors = errors_of(page)
    page.goto(server.base + "/classes/new")
    page.select_option("#class-scenario", "cuba-1962")
    page.fill("#class-games", "0")
    page.click("button[type=submit]")
    page.locator("[data-field=games]").filter(has_text="1 to").wait_for()
    errors.clear()  # the browser logs the refusal (422) as a failed load

    page.fill("#class-games", "3")
    page.fill("#class-timer", "90")
    page.fill("#class-title", "Period 4")
    for actor in ("us", "su"):
        page.select_option(f"#seat-cuba-1962-{actor}", "student")
    for actor in ("cuba", "un"):
        page.select_option(f"#seat-cuba-1962-{actor}", "historical")
    with page.expect_navigation(url="**/classes/*", timeout=60_000):
        page.click("button[type=submit]")
    assert "token=" not in page.url
    page.get_by_role("heading", name="Outcomes: the class beside the model").wait_for()
    assert page.locator("tr[data-game-id]").count() == 3
    assert page.locator("input[data-seat]").count() == 6
    assert page.locator("tr[data-outcome]").count() >= 1
    page.screenshot(path=SHOTS / "class-2-dashboard.png", full_page=True)

    # A student plays a move; the export has it.
    link = page.locator("input[data-seat=us]").first.input_value()
    student = browser.new_context(viewport=VIEWPORT).new_page()
    student.goto(link)
    with page.expect_navigation(timeout=15_000):  # the dashboard follows the class live
        assert decide(student)
    student.context.close()

    with page.expect_download() as got:
        page.click("#export-csv")
    rows = list(csv.DictReader(io.StringIO(Path(got.value.path()).read_text())))
    assert len(rows) == 1 and rows[0]["seat"] == "us" and rows[0]["by"] == "player"
    with page.expect_download() as got:
        page.click("#export-parquet")
    table = pq.read_table(got.value.path())
    assert table.num_rows == 1 and table.column("game").to_pylist() == [1]

    # The teacher replaces a lost link: the old one is refused with the reason.
    field = page.locator("input[data-seat=su]").first
    lost = field.input_value()
    page.locator("button.new-link[data-seat=su]").first.click()
    khrushchev = load_scenario("cuba-1962").actors["su"].name  # named, not by its id
    page.locator("#class-status").filter(has_text=f"New link for {khrushchev}:").wait_for()
    assert field.input_value() != lost and "token=" in field.input_value()
    refused = httpx.get(lost, timeout=30, follow_redirects=False)
    assert refused.status_code == 403 and "replaced by the class" in refused.text
    assert httpx.get(field.input_value(), timeout=30).status_code in (200, 303)
    assert errors == []
    context.close()
