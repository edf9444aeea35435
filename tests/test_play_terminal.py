"""`brink play` in a terminal: driven through the real CLI by a script on stdin."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from brinkmanship.engine.observation import WAIT
from brinkmanship.play.game import Game, GameRecord
from brinkmanship.play.menus import build_menu
from brinkmanship.policies.rules import data_policy
from cli_runner import run_brink


def keys_for(game: Game, action: str) -> list[str]:
    """The answers that pick ``action`` from the terminal's menus at the current decision:
    Enter for ``wait``, a plain choice's fixed number, a letter through the letter menus."""
    view = game.view()
    menu = build_menu(view.choices)
    if action == WAIT:
        return [""]
    number = {c.id: c.number for c in view.choices}
    if action in {c.id for c in menu.actions}:
        return [str(number[action])]
    for k, kind in enumerate(menu.letters, start=1):
        for ch, channel in enumerate(kind.channels, start=1):
            for letter in channel.letters:
                if letter.id == action:
                    channel_key = [str(ch)] if len(kind.channels) > 1 else []
                    return ["l", str(k), *channel_key, str(number[action])]
    raise AssertionError(f"{action} is not in the menus")


def scripted_game(seed: int = 0) -> tuple[Game, list[list[str]]]:
    """A game where the player follows the US historical choices, and the answers typed
    for each decision."""
    game = Game.new("cuba-1962", "us", seed=seed)
    policy = data_policy(game.scenario.actors["us"].policies["historical"])
    per_decision = []
    while not game.finished:
        assert game.request is not None
        action = policy.decide(game.request.observation, game.request.legal).action
        per_decision.append(keys_for(game, action))
        game.choose(action)
    return game, per_decision


@pytest.fixture(scope="module")
def scripted() -> tuple[Game, list[list[str]]]:
    return scripted_game()


BRINK = Path(sys.executable).parent / "brink"
"""The installed console script: the real entry point, as a player runs it."""


def brink_play(args: list[str], stdin: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    assert BRINK.exists(), f"the brink console script is missing: {BRINK}"
    return subprocess.run(
        [str(BRINK), "play", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=cwd,
        # Piped at the default width: the screens follow COLUMNS, which a caller's shell or
        # a library in the test process (behind os.environ's back) may export.
        env={k: v for k, v in os.environ.items() if k != "COLUMNS"},
    )


def lines(keys: list[list[str]]) -> str:
    return "".join(k + "\n" for step in keys for k in step)


def test_play_cuba_as_us_to_the_outcome(
    scripted: tuple[Game, list[list[str]]], tmp_path: Path
) -> None:
    game, keys = scripted
    assert any(len(k) > 1 for k in keys), "the script writes letters through the menus"
    bad = "x\n99\n"  # answers that are refused before the real first one
    done = brink_play(
        ["cuba-1962", "--as", "us", "--save", "game.json"], bad + lines(keys), tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    out = done.stdout
    assert out.count("Please enter a choice's number") == 2
    assert "Tue 16 Oct 1962, noon — President Kennedy" in out
    assert "Your advisers" in out and "Robert McNamara (Secretary of Defense)" in out
    assert "Kind of letter" in out and "Inbox" in out
    assert game.outcome is not None
    assert "The outcome" in out and game.outcome.label[:40] in out
    assert "Debrief" in out and "Your choices beside the documented ones" in out
    saved = GameRecord.model_validate_json((tmp_path / "game.json").read_text())
    assert saved == game.record


def test_resume_continues_where_the_input_ended(
    scripted: tuple[Game, list[list[str]]], tmp_path: Path
) -> None:
    game, keys = scripted
    half = len(keys) // 2
    first = brink_play(
        ["cuba-1962", "--as", "us", "--save", "g.json"], lines(keys[:half]), tmp_path
    )
    assert first.returncode == 0, first.stderr
    assert "brink play --resume g.json" in first.stdout
    partial = GameRecord.model_validate_json((tmp_path / "g.json").read_text())
    assert partial.moves == game.record.moves[:half]
    second = brink_play(["--resume", "g.json"], lines(keys[half:]), tmp_path)
    assert second.returncode == 0, second.stderr
    assert "The outcome" in second.stdout
    final = GameRecord.model_validate_json((tmp_path / "g.json").read_text())
    assert final == game.record


def run_inprocess(
    args: list[str],
    stdin: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[int, str, str]:
    return run_brink(["play", *args], capsys, monkeypatch, stdin)


def test_quit_saves_and_eof_without_a_save_file_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    save = tmp_path / "q.json"
    code, out, _ = run_inprocess(
        ["cuba-1962", "--as", "su", "--save", str(save)], "1\n1\nq\n", capsys, monkeypatch
    )
    assert code == 0
    record = GameRecord.model_validate_json(save.read_text())
    assert record.side == "su" and [m.action for m in record.moves] == ["wait", "wait"]
    code, out, err = run_inprocess(["cuba-1962", "--as", "us"], "", capsys, monkeypatch)
    assert code == 0 and "not saved" in out and err == ""


def write(path: Path, text: str) -> str:
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "malformed JSON"),
        ('{"scenario": "cuba-1962"}', "not a valid save file"),
        ("[]", "not a valid save file"),
    ],
)
def test_a_malformed_save_file_is_one_clear_error(
    content: str,
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = write(tmp_path / "bad.json", content)
    code, out, err = run_inprocess(["--resume", path], "", capsys, monkeypatch)
    assert code == 2
    assert err.startswith("error: ") and message in err and err.count("\n") == 1
    assert "Traceback" not in err + out


def test_a_save_file_that_no_longer_replays_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    game = Game.new("cuba-1962", "us")
    data = json.loads(game.record.model_dump_json())
    data["moves"] = [{"tick": game.tick, "action": "su_letter2"}]
    path = write(tmp_path / "edited.json", json.dumps(data))
    before = Path(path).read_text()
    code, _, err = run_inprocess(["--resume", path], "", capsys, monkeypatch)
    assert code == 2 and "no longer replays" in err and "move 1" in err
    assert Path(path).read_text() == before, "a refused save file is left as it was"
    code, _, err = run_inprocess(["--resume", str(tmp_path / "none.json")], "", capsys, monkeypatch)
    assert code == 2 and "no such save file" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["cuba-1962"], "--as"),
        (["cuba-1962", "--as", "ussr"], "unknown side 'ussr'"),
        (["cuba-1962", "--as", "us", "--opponent", "nonsense"], "unknown policy"),
        (["cuba-1962", "--as", "us", "-i", "no-such"], "intervention"),
        (["--resume", "x.json", "--as", "us"], "drop --as"),
        ([], "SCENARIO"),
    ],
)
def test_bad_arguments_are_one_clear_error(
    args: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, _, err = run_inprocess(args, "", capsys, monkeypatch)
    assert code == 2 and message in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("missing/debrief.md", "No such file or directory"),
        (".", "Is a directory"),
        ("plain.txt/debrief.md", "Not a directory"),
    ],
)
@pytest.mark.parametrize(("option", "what"), [("--debrief", "debrief"), ("--save", "save file")])
def test_a_file_that_cannot_be_written_is_refused_before_the_game(
    option: str,
    what: str,
    where: str,
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "plain.txt").write_text("a file, not a folder")
    path = tmp_path / where
    args = ["cuba-1962", "--as", "us", option, str(path)]
    code, out, err = run_inprocess(args, "1\n", capsys, monkeypatch)
    assert code == 2 and out == "", out[:200]
    assert err == f"error: {path}: cannot write the {what} ({message})\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plain.txt"]


def test_a_writable_debrief_path_is_left_as_it_was_until_the_end(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh, kept = tmp_path / "fresh.md", tmp_path / "kept.md"
    kept.write_text("earlier")
    for path in (fresh, kept):
        args = ["cuba-1962", "--as", "us", "--debrief", str(path)]
        code, out, _ = run_inprocess(args, "q\n", capsys, monkeypatch)
        assert code == 0 and "not saved" in out
    assert not fresh.exists() and kept.read_text() == "earlier"


def test_menus_group_pure_messages_by_kind_and_channel() -> None:
    game = Game.new("cuba-1962", "us", seed=0)
    policy = data_policy(game.scenario.actors["us"].policies["historical"])
    seen: dict[str, str] = {}
    plain: set[str] = set()
    while not game.finished:
        menu = build_menu(game.view().choices)
        plain |= {c.id for c in menu.actions}
        for kind in menu.letters:
            for channel in kind.channels:
                assert channel.title.startswith("public" if channel.public else "secret")
                for letter in channel.letters:
                    assert letter.letter is not None and not letter.effects
                    seen[letter.id] = kind.kind
        assert game.request is not None
        game.choose(policy.decide(game.request.observation, game.request.legal).action)
    assert seen["us_reply_letter1"] == "offer"
    assert seen["us_rfk_dobrynin"] == "pledge"  # a statement that gives terms
    assert seen["us_rusk_dobrynin"] == "demand"
    assert "us_address" in plain and "us_address" not in seen  # a message that also acts


@pytest.mark.parametrize("columns", [80, 60])
def test_piped_screens_keep_to_the_columns_asked_for(
    columns: int, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    code, out, _ = run_inprocess(["cuba-1962", "--as", "us"], "\n\n", capsys, monkeypatch)
    lines = out.splitlines()
    assert code == 0 and len(lines) > 20
    assert max(len(line) for line in lines) == columns


def test_resume_shows_the_report_of_the_orders_given_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = str(tmp_path / "g.json")
    game = Game.new("cuba-1962", "us")
    numbers = {c.id: c.number for c in game.view().choices}
    orders = f"{numbers['us_convene_excomm']} {numbers['wait.news']}\n"
    code, first, err = run_inprocess(
        ["cuba-1962", "--as", "us", "--save", path], orders, capsys, monkeypatch
    )
    assert code == 0, err
    report = "Your orders: Convene the ExComm"
    assert first.count(report) == 1, "the screen after the orders reports them"
    saved = json.loads(Path(path).read_text())
    assert saved["orders"]["from"] == 0
    assert [o["id"] for o in saved["orders"]["plan"]["orders"]] == [
        "us_convene_excomm",
        "wait.news",
    ]
    code, again, err = run_inprocess(["--resume", path], "", capsys, monkeypatch)
    assert code == 0, err
    screen = first[first.index(report) :].split("Stopped at")[0]
    assert (
        report in again and screen.split("\n")[:3] == again[again.index(report) :].split("\n")[:3]
    )
    # a single choice after the resume: no report any more, and none saved
    code, _, err = run_inprocess(["--resume", path], "1\n", capsys, monkeypatch)
    assert code == 0, err
    assert "orders" not in json.loads(Path(path).read_text())
    # orders that do not fit the record: one clear error, the file left as it was
    saved["orders"]["from"] = 99
    write(tmp_path / "bad.json", json.dumps(saved))
    code, _, err = run_inprocess(["--resume", str(tmp_path / "bad.json")], "", capsys, monkeypatch)
    assert code == 2 and "no orders were given after move 99" in err and err.count("\n") == 1
