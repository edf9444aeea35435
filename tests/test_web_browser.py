"""End to end in a real browser: Playwright drives Debian's Chromium (headless) through a
new game, a whole game to its outcome (the first decision by keyboard alone), the end
screen and the debrief; a browser without the game's link sees nothing of it, and one
given its watch link can only watch. Screenshots go
to artifacts/web-e2e/ (git-ignored)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Page, Route, ViewportSize

from brinkmanship.web.local import LocalServer
from browsing import errors_of

SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "web-e2e"
VIEWPORT: ViewportSize = {"width": 1366, "height": 768}


def decide_first_action(page: Page) -> None:
    page.locator("#choose input[name=action]:not([value=wait])").first.check()
    with page.expect_navigation():
        page.click("#decide")


def start_game(
    server: LocalServer, browser: Browser, side: str, seed: str = ""
) -> tuple[Page, list[str]]:
    """A fresh browser on a new cuba-1962 game as ``side`` (on ``seed`` if given): the page
    at the first decision and the errors it logs from now on."""
    page = browser.new_context(viewport=VIEWPORT).new_page()
    errors = errors_of(page)
    page.goto(server.base + "/new")
    page.select_option("#scenario", "cuba-1962")
    page.get_by_role("radio", name=side).check()
    if seed:
        page.fill("#seed", seed)
    with page.expect_navigation():
        page.get_by_role("button", name="Start the game").click()
    return page, errors


def test_play_a_whole_game_to_the_debrief(server: LocalServer, browser: Browser) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page, errors = start_game(server, browser, "Khrushchev", seed="4")
    assert "/games/" in page.url
    game_url = page.url
    page.screenshot(path=SHOTS / "1-first-decision.png")
    assert page.locator(".clock").inner_text().startswith("Tuesday 16 October 1962")
    assert page.get_by_role("group", name="DEFCON of US forces: 5").is_visible()
    first_clock = page.locator(".clock").inner_text()

    # The first decision by keyboard alone: a choice takes focus, Space picks it, Enter submits.
    page.locator("#choose input[name=action]:not([value=wait])").first.focus()
    page.keyboard.press("Space")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".clock").inner_text() != first_clock
    assert page.evaluate("document.activeElement.id") == "clock"

    # The token is in an HttpOnly cookie, not in the address, the page's storage or a script.
    assert page.url == game_url and "token" not in game_url
    assert page.evaluate("document.cookie") == ""
    assert page.evaluate("window.localStorage.length") == 0
    watch_link = page.locator("#link-watch").input_value()
    # Someone else's browser sees nothing without a link; with the watch link, it watches.
    other = browser.new_context(viewport=VIEWPORT).new_page()
    refused = other.goto(game_url)
    assert refused is not None and refused.status == 401
    other.goto(server.base + "/")
    assert other.locator("tr[data-game-id]").count() == 0
    other.goto(watch_link)
    assert other.url == game_url
    assert other.locator("#watching").is_visible()
    assert other.locator("#decide").count() == 0
    assert other.locator("#c-wait").is_disabled()
    assert other.locator("#link-seat").count() == 0
    other.goto(server.base + "/")
    assert other.locator("tr[data-game-id] .role").inner_text() == "you watch"
    other.context.close()
    # A private link of the first web version (the token in the fragment) still opens it.
    seat = page.locator("#link-seat").input_value().split("?token=", 1)[1]
    old = browser.new_context(viewport=VIEWPORT).new_page()
    with old.expect_navigation(url=game_url):
        old.goto(f"{game_url}#token={seat}")
    assert old.locator("#decide").is_enabled()
    old.context.close()

    for _ in range(40):
        if page.locator("#outcome-h").count():
            break
        decide_first_action(page)
    assert page.locator("#outcome-h").inner_text().startswith("The end:")
    page.screenshot(path=SHOTS / "2-the-end.png", full_page=True)

    with page.expect_navigation():
        page.get_by_role("link", name="Read the debrief").click()
    assert page.get_by_role("heading", name="Day by day").is_visible()
    assert page.locator(".day").count() >= 10
    assert page.get_by_role("heading", name="Your choices beside the documented ones").count()
    page.screenshot(path=SHOTS / "3-debrief.png", full_page=True)

    page.goto(server.base + "/")
    assert page.locator("tr[data-game-id] .role").all_inner_texts() == ["you play"]
    assert errors == []
    page.context.close()


def test_a_refused_choice_is_said_on_the_page(server: LocalServer, browser: Browser) -> None:
    page, _ = start_game(server, browser, "Fidel Castro")
    # The page was rendered for a decision; the game moves on elsewhere (another tab).
    page.evaluate("document.getElementById('choose').dataset.tick = '0'")
    page.locator("#choose input[name=action]").first.check()
    page.click("#decide")
    status = page.locator("#status")
    status.filter(has_text="tick").wait_for()
    assert "reload" in status.inner_text()
    assert page.locator("#decide").is_enabled()
    page.context.close()


def test_several_orders_are_given_on_one_screen(server: LocalServer, browser: Browser) -> None:
    page, errors = start_game(server, browser, "President Kennedy")
    page.get_by_role("radio", name="Convene the ExComm").check()
    page.get_by_label("Order 2").select_option(label="Wait until something happens")
    with page.expect_navigation():
        page.click("#decide")
    orders = page.locator(".orders").inner_text()
    assert "Your orders: Convene the ExComm" in orders and "then waited until" in orders
    # the wait went past the afternoon to the evening meeting, where counsel is new
    assert page.locator(".clock").inner_text() == "Tuesday 16 October 1962, 7 p.m."
    assert page.get_by_label("Order 2").input_value() == "", "each screen starts afresh"
    assert errors == []
    page.context.close()


def test_the_api_docs_load_nothing_from_elsewhere(server: LocalServer, browser: Browser) -> None:
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    errors = errors_of(page)
    asked: list[str] = []

    def only_this_server(route: Route) -> None:
        asked.append(route.request.url)
        if route.request.url.startswith(server.base + "/"):
            route.continue_()
        else:
            route.abort()

    page.route("**/*", only_this_server)
    page.goto(server.base + "/api/docs")
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="POST /api/games/{game_id}/choices").is_visible()
    page.screenshot(path=SHOTS / "4-api-docs.png")
    assert asked and [u for u in asked if not u.startswith(server.base + "/")] == []
    assert errors == []
    context.close()
