"""Every page on a phone (390 x 844 px) in a real browser (Debian's Chromium, headless):
nothing wider than the screen but a deliberately scrollable table, every control within
reach, a decision made there; and no page of a whole game shows an ISO time, an
internal id or a 24-hour clock. The same for a class: a student seat's whole game and the
teacher's page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from playwright.sync_api import Browser, Page, ViewportSize

from brinkmanship.web.local import LocalServer

PHONE: ViewportSize = {"width": 390, "height": 844}

ISO = re.compile(r"\d{4}-\d{2}-\d{2}|T\d{2}:\d{2}|\d{2}:\d{2}(:\d{2})?[+-]\d{2}:?\d{2}")
"""An ISO date, or an ISO time with its ``T`` or its UTC offset."""
INTERNAL_ID = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")
CLOCK_24H = re.compile(r"\b\d{1,2}:\d{2}\b(?! [ap]\.m\.|[-–]\d)")
"""A time of day on the 24-hour clock (not the start of a range such as "2:30-5:10 p.m."):
the terminal and the pages write "2 p.m.", "noon"."""
"""A snake_case name: how actions, letters and variables are named inside."""

WIDER = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    if (el.closest(".scroll-x, .visually-hidden, .skip")) continue;
    const box = el.getBoundingClientRect();
    if (box.width > 0 && (box.left < -0.5 || box.right > width + 0.5)) {
      out.push(`${el.tagName}.${el.className} ${Math.round(box.left)}..${Math.round(box.right)}`);
    }
  }
  return out;
}"""
"""The elements that reach past the screen's edges, outside a scrollable wrapper."""

OUT_OF_REACH = """() => {
  const width = document.documentElement.clientWidth;
  const controls = "a[href], button, input, select, textarea, summary, [tabindex]";
  return [...document.querySelectorAll(controls)]
    .filter((el) => !el.closest(".visually-hidden, .skip") && el.getClientRects().length)
    .map((el) => [el, (el.closest(".scroll-x") || el).getBoundingClientRect()])
    .filter(([el, box]) => box.left < -0.5 || box.right > width + 0.5 || box.width === 0)
    .map(([el]) => el.outerHTML.slice(0, 80));
}"""
"""The visible controls (or, inside a scrollable wrapper, their wrapper) off the screen."""


@dataclass(frozen=True)
class Played:
    """A finished game and one still in play, each with its player's token."""

    done: str
    done_token: str
    live: str
    live_token: str
    scanned: dict[str, str]
    """Text of each game screen of the finished game, by the decision it showed."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    with LocalServer(tmp_path_factory.mktemp("narrow") / "games.sqlite3") as running:
        yield running


@pytest.fixture(scope="module")
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE)
    yield context.new_page()
    context.close()


def new_game(api: httpx.Client, side: str, seed: int) -> tuple[str, str]:
    r = api.post("/api/games", json={"scenario": "cuba-1962", "side": side, "seed": seed})
    assert r.status_code == 201, r.text
    return r.json()["id"], r.json()["token"]


@pytest.fixture(scope="module")
def played(server: LocalServer, phone: Page) -> Played:
    """A whole game played through the API (every third decision an action, letters
    included, else wait), its screen read on the phone at every decision."""
    api = httpx.Client(base_url=server.base, timeout=60)
    live, live_token = new_game(api, "us", 5)
    done, token = new_game(api, "su", 4)
    phone.goto(f"{server.base}/games/{live}?token={live_token}")
    phone.goto(f"{server.base}/games/{done}?token={token}")
    auth = {"Authorization": f"Bearer {token}"}
    view = api.get(f"/api/games/{done}", headers=auth).json()
    scanned: dict[str, str] = {}
    for step in range(200):
        if view["finished"]:
            break
        open_page(phone, f"{server.base}/games/{done}")
        scanned[f"decision {step + 1}"] = phone.inner_text("main")
        acts = [c["id"] for c in view["choices"] if c["id"] != "wait"]
        action = acts[step % len(acts)] if acts and step % 3 == 0 else "wait"
        r = api.post(
            f"/api/games/{done}/choices",
            json={"action": action, "at_tick": view["tick"]},
            headers=auth,
        )
        assert r.status_code == 200, r.text
        view = r.json()
    assert view["finished"] and len(scanned) >= 20
    return Played(done, token, live, live_token, scanned)


def pages_of(played: Played) -> dict[str, str]:
    return {
        "the game list": "/",
        "the new-game form": "/new",
        "the new-class form": "/classes/new",
        "a game in play": f"/games/{played.live}",
        "the end": f"/games/{played.done}",
        "the debrief": f"/games/{played.done}/debrief",
        "a replay's first step": f"/games/{played.done}/replay?step=0",
        "a replay's middle": f"/games/{played.done}/replay?step=5",
    }


def open_page(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    assert page.locator("main").count() == 1, url


def test_every_page_fits_a_phone_and_every_control_is_in_reach(
    server: LocalServer, phone: Page, played: Played
) -> None:
    # The API's documentation names its fields as programs write them, so it is checked for
    # width here but not scanned for internal ids.
    for name, url in {**pages_of(played), "the API's documentation": "/api/docs"}.items():
        open_page(phone, server.base + url)
        assert phone.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"], name
        assert phone.evaluate(WIDER) == [], name
        assert phone.evaluate(OUT_OF_REACH) == [], name
    # The debrief's comparison fits the phone: nothing to scroll sideways to read it.
    open_page(phone, f"{server.base}/games/{played.done}/debrief")
    fits = "(t) => t.scrollWidth <= t.closest('.scroll-x').clientWidth + 0.5"
    assert phone.locator(".comparison").evaluate(fits)
    # A decision made on the phone.
    phone.goto(f"{server.base}/games/{played.live}")
    before = phone.locator(".clock").inner_text()
    choice = phone.locator("#choose input[name=action]:not([value=wait])").first
    choice.scroll_into_view_if_needed()
    choice.check()
    with phone.expect_navigation():
        phone.locator("#decide").click()
    assert phone.locator(".clock").inner_text() != before


def test_no_page_of_a_whole_game_shows_an_iso_time_or_an_internal_id(
    server: LocalServer, phone: Page, played: Played
) -> None:
    texts = dict(played.scanned)
    for name, url in pages_of(played).items():
        open_page(phone, server.base + url)
        # The bibliography and an ending's sources quote the sources' own titles (a
        # publication date, a memo's heading among them).
        phone.evaluate(
            "document.querySelectorAll('.bibliography, .sources').forEach(e => e.remove())"
        )
        texts[name] = phone.inner_text("main")
    leaks = {
        name: sorted(
            {
                m.group(0)
                for pattern in (ISO, INTERNAL_ID, CLOCK_24H)
                for m in pattern.finditer(text)
            }
        )
        for name, text in texts.items()
    }
    assert {name: found for name, found in leaks.items() if found} == {}


AFTER_THE_CHOICES = """() => {
  const bottom = (el) => el.getBoundingClientRect().bottom + window.scrollY;
  const top = (el) => el.getBoundingClientRect().top + window.scrollY;
  const decide = document.getElementById("decide");
  const above = [...document.querySelectorAll("#choose .choice, #choose select")]
    .filter((el) => bottom(el) > top(decide) + 0.5)
    .map((el) => (el.querySelector("input") || el).id);
  return above;
}"""
"""The choices (and further-order selects) that reach below the top of the Decide button,
in the page's own coordinates: none when the button comes after them all."""


def test_decide_comes_after_every_choice_on_a_phone(
    server: LocalServer, phone: Page, played: Played
) -> None:
    open_page(phone, f"{server.base}/games/{played.live}")
    assert phone.locator("#choose .choice").count() > 3  # a menu longer than the screen
    # where a player stands when they pick "Wait", the first choice
    phone.locator("#choose input[name=action][value=wait]").scroll_into_view_if_needed()
    assert phone.evaluate(AFTER_THE_CHOICES) == []


# ------------------------------------------------------------ a class on a phone

CLASS_TIMER = 20
"""Seconds per decision in the phone's class: enough for a loaded machine to decide in, short
enough to let one run out."""


@dataclass(frozen=True)
class Classroom:
    """A class of three games whose first game a student played to its end on a phone."""

    link: str
    """The teacher's page."""
    teacher: str
    problems: dict[str, list[str]]
    """What reached past the phone's screen, by the student's screen it was on."""
    shown: dict[str, str]
    """The text of the student's screens that were not a plain decision, by what they were."""
    ending: str
    """The outcome's label, from the API."""


def misfits(page: Page) -> list[str]:
    """What on the page reaches past a phone's screen, or keeps a control out of reach; the
    choices that come after Decide."""
    width = page.evaluate("document.scrollingElement.scrollWidth")
    found = [f"the page is {width} px wide"] if width > PHONE["width"] else []
    found += page.evaluate(WIDER) + page.evaluate(OUT_OF_REACH)
    if page.locator("#decide").count():
        found += [f"after Decide: {c}" for c in page.evaluate(AFTER_THE_CHOICES)]
    return found


def act(page: Page, step: int) -> None:
    """Take a choice other than waiting (the step's, cycling through the menu) and decide."""
    acts = page.locator("#choose input[name=action]:not([value=wait]):not([value='wait.news'])")
    acts.nth(step % acts.count()).check()
    with page.expect_navigation():
        page.locator("#decide").click()


@pytest.fixture(scope="module")
def classroom(server: LocalServer, browser: Browser) -> Iterator[Classroom]:
    """A class of three games, Kennedy a student in each: in game 1 the student plays on a
    phone (several orders with a wait for news, one decision left to the timer, the others
    taken) to the end; games 2 and 3 are never answered, so their timers run out."""
    body = {"scenario": "cuba-1962", "games": 3, "seats": {"us": "student"}}
    made = httpx.post(server.base + "/api/classes", json={**body, "timer": CLASS_TIMER}, timeout=60)
    assert made.status_code == 201, made.text
    data = made.json()
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(server.base + data["games"][0]["seats"]["us"])
    problems: dict[str, list[str]] = {}
    shown: dict[str, str] = {"the briefing": page.inner_text("main")}
    for step in range(120):
        if page.locator("#outcome-h").count():
            break
        problems[f"decision {step + 1}"] = misfits(page)
        if page.locator(".orders").count():
            shown.setdefault("the report of the orders", page.inner_text(".orders"))
        if step == 0:  # several orders, the last a wait for news
            page.locator("#choose input[name=action]:not([value=wait])").first.check()
            page.select_option("#then-0", index=1)
            page.select_option("#then-1", label="Wait until something happens")
            with page.expect_navigation():
                page.locator("#decide").click()
        elif step == 3:  # left to the timer: the page moves on by itself
            shown["a decision left to the timer"] = page.inner_text("main")
            with page.expect_navigation(timeout=(CLASS_TIMER + 30) * 1000):
                pass
        else:
            act(page, step)
    page.locator("#outcome-h").wait_for(timeout=30_000)
    problems["the end"] = misfits(page)
    shown["the end"] = page.inner_text("main")
    token = data["games"][0]["seats"]["us"].split("token=", 1)[1]
    view = httpx.get(
        f"{server.base}/api/games/{data['games'][0]['id']}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    ).json()
    context.close()
    yield Classroom(
        data["teacher_link"], data["teacher_token"], problems, shown, view["outcome"]["label"]
    )


def test_a_class_seat_s_whole_game_fits_a_phone(classroom: Classroom) -> None:
    assert len(classroom.problems) > 5
    assert {name: found for name, found in classroom.problems.items() if found} == {}
    assert "The end: " + classroom.ending in classroom.shown["the end"]
    assert "score" in classroom.shown["the end"].lower()
    assert "Your orders" in classroom.shown["the report of the orders"]
    assert "until something happen" in classroom.shown["the report of the orders"]


def test_the_teacher_s_page_fits_a_phone(
    server: LocalServer, browser: Browser, classroom: Classroom
) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    open_page(page, server.base + classroom.link)
    assert misfits(page) == []
    text = page.inner_text("main")
    assert "Over: " + classroom.ending in text and "In play: " in text
    leaks = sorted({m.group(0) for p in (ISO, INTERNAL_ID, CLOCK_24H) for m in p.finditer(text)})
    assert leaks == []
    context.close()
