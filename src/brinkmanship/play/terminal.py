"""Playing in a terminal: rich for layout, numbered menus read line by line from stdin.

Works over a plain SSH session (no mouse, no full-screen mode) and can be driven by a script
on stdin. The game is saved after every move; end of input saves and stops cleanly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from brinkmanship.play.debrief import Debrief, build_debrief
from brinkmanship.play.game import Game
from brinkmanship.play.menus import KindGroup, Menu, build_menu, terms_line
from brinkmanship.play.record import save_record
from brinkmanship.play.view import AlertLevel, ChoiceView, GameView, LetterView, quantity_text

ReadLine = Callable[[], str]
"""Returns the next input line (with its newline), or ``""`` at end of input."""


class InputEndedError(Exception):
    """Input ran out (or the player asked to stop): save and leave."""


def when(iso: str) -> str:
    """``1962-10-16T12:00-04:00`` → ``Tue 16 Oct 1962, 12:00``."""
    d = datetime.fromisoformat(iso)
    return f"{d:%a} {d.day} {d:%b %Y, %H:%M}"


def _letter(letter: LetterView, new: bool) -> RenderableType:
    """A new letter in full; one seen before as a single line."""
    head = Text()
    if new:
        head.append("NEW ", style="bold yellow")
    head.append(f"{letter.kind.upper()} from {letter.sender_name}", style="bold" if new else "")
    head.append(f" by {letter.channel_label} ({'public' if letter.public else 'private'})")
    if not new:
        head.append(f", arrived {when(letter.arrived)}")
        return head
    body = Table.grid(padding=(0, 1))
    body.add_column(no_wrap=True)
    body.add_column()
    body.add_row("sent", f"{when(letter.sent)}, arrived {when(letter.arrived)}")
    body.add_row("text", letter.text)
    if letter.give:
        body.add_row("they give", "; ".join(t.label for t in letter.give))
    if letter.get:
        body.add_row("they ask", "; ".join(t.label for t in letter.get))
    return Group(head, Padding(body, (0, 0, 0, 2)))


def render_view(view: GameView, full_state: bool = False) -> RenderableType:
    """The decision screen: time, alerts, news, what the side knows, inbox, counsel."""
    parts: list[RenderableType] = []
    alerts = Text("   ").join(
        Text.assemble(f"{a.label}: ", (f"{a.value:g}", "bold"), _danger(a)) for a in view.alerts
    )
    parts.append(alerts if view.alerts else Text("(no alert levels)"))
    news = [e for e in view.events if e.new and e.kind != "counsel"]  # counsel: on the last screen
    if news:
        table = Table(title="Since your last decision", title_justify="left", show_header=False)
        table.add_column("time", no_wrap=True)
        table.add_column("what")
        for e in news:
            table.add_row(
                when(e.time)[-5:] if e.time[:10] == view.time[:10] else when(e.time), e.text
            )
        parts.append(table)
    known = Table(title="What your side knows", title_justify="left", show_header=False)
    known.add_column("variable")
    known.add_column("value", justify="right")
    for item in view.state:
        if item.shown_as == "fact":
            if item.value or full_state:
                known.add_row(item.label, "yes" if item.value else "no")
        elif item.shown_as == "quantity":
            known.add_row(item.label, quantity_text(item))
    parts.append(known)
    if view.inbox:
        last = view.last_move_time
        fresh = [last is None or _after(x.arrived, last) for x in view.inbox]
        order = sorted(range(len(view.inbox)), key=lambda i: (fresh[i], view.inbox[i].arrived))
        letters = [_letter(view.inbox[i], fresh[i]) for i in order]
        parts.append(Panel(Group(*letters), title="Inbox", title_align="left"))
    if view.counsel:
        table = Table(title="Your advisers", title_justify="left", show_header=False)
        table.add_column("who")
        table.add_column("advice")
        for c in view.counsel:
            advice = c.action_label + (f" — {c.why}" if c.why else "")
            table.add_row(f"{c.name} ({c.role})" if c.role else c.name, advice)
        parts.append(table)
    return Panel(
        Group(*parts),
        title=f"{when(view.time)} — {view.side_name}",
        subtitle=f"{view.title} · decision {view.moves + 1}",
    )


def _danger(alert: AlertLevel) -> str:
    """Where the level is most dangerous: `` (danger at 1)`` for DEFCON."""
    worst = alert.low if alert.counts == "down" else alert.high
    return f" (danger at {worst:g})"


def _after(iso: str, other: str) -> bool:
    return datetime.fromisoformat(iso) > datetime.fromisoformat(other)


class TerminalGame:
    """Drives a :class:`Game` from numbered menus; saves after every move."""

    def __init__(
        self, console: Console, read_line: ReadLine, save: Path | None, *, echo: bool = False
    ) -> None:
        self.console = console
        self.read_line = read_line
        self.save = save
        self.echo = echo
        """Print each answer read (when input does not come from a terminal that echoes it)."""

    # ---------------------------------------------------------------- input

    def ask(self, prompt: str, count: int, *, back: bool = False) -> int:
        """A number in 1..count (0 = back when ``back``); ``q`` or end of input stops."""
        low = 0 if back else 1
        while True:
            self.console.print(
                f"{prompt} [{low}-{count}{', q to save and quit' if not back else ''}]: ", end=""
            )
            line = self.read_line()
            if line == "":
                self.console.print()
                raise InputEndedError
            answer = line.strip().lower()
            if self.echo:
                self.console.print(answer, highlight=False, markup=False)
            if answer in ("q", "quit"):
                raise InputEndedError
            if answer.isdigit() and low <= int(answer) <= count:
                return int(answer)
            self.console.print(f"Please enter a number from {low} to {count}.")

    # ---------------------------------------------------------------- menus

    def _numbered(self, title: str, rows: Sequence[tuple[str, str]]) -> None:
        table = Table(title=title, title_justify="left", show_header=False, expand=False)
        table.add_column("#", justify="right", no_wrap=True)
        table.add_column("choice", no_wrap=False)
        explained = any(text for _, text in rows)
        if explained:
            table.add_column("what it means")
        for i, (label, text) in enumerate(rows, start=1):
            table.add_row(str(i), label, *([text] if explained else []))
        self.console.print(table)

    def choose(self, view: GameView) -> str:
        """Ask for a choice, through the letter menus when the player writes one."""
        menu = build_menu(view.choices)
        while True:
            rows = [(menu.wait.label, menu.wait.text)]
            rows += [(_label(c), c.text) for c in menu.actions]
            if menu.letters:
                kinds = ", ".join(k.kind for k in menu.letters)
                rows.append(("Write a letter…", f"{menu.letter_count} possible ({kinds})"))
            self._numbered("Your choices", rows)
            n = self.ask("Your choice", len(rows))
            if n == 1:
                return menu.wait.id
            if n - 2 < len(menu.actions):
                return menu.actions[n - 2].id
            picked = self._letter_menu(menu)
            if picked is not None:
                return picked

    def _letter_menu(self, menu: Menu) -> str | None:
        kind = self._pick_kind(menu.letters)
        if kind is None:
            return None
        channels = kind.channels
        if len(channels) == 1:
            channel = channels[0]
            self.console.print(f"Channel: {channel.title}")
        else:
            self._numbered("Channel", [(ch.title, "") for ch in channels])
            n = self.ask("Channel (0 = back)", len(channels), back=True)
            if n == 0:
                return None
            channel = channels[n - 1]
        letters = channel.letters
        rows = []
        for c in letters:
            assert c.letter is not None
            rows.append((terms_line(c.letter), c.text))
        self._numbered(f"{kind.title} — terms", rows)
        n = self.ask("Terms (0 = back)", len(letters), back=True)
        return None if n == 0 else letters[n - 1].id

    def _pick_kind(self, kinds: Sequence[KindGroup]) -> KindGroup | None:
        self._numbered("Kind of letter", [(k.title, "") for k in kinds])
        n = self.ask("Kind (0 = back)", len(kinds), back=True)
        return None if n == 0 else kinds[n - 1]

    # ------------------------------------------------------------------ loop

    def run(self, game: Game) -> None:
        """Play until the outcome or the end of input; then the debrief (if over)."""
        try:
            while not game.finished:
                view = game.view()
                self.console.print(render_view(view))
                action = self.choose(view)
                game.choose(action, at_tick=view.tick)
                self._save(game)
        except InputEndedError:
            self._save(game)
            if self.save is not None:
                self.console.print(
                    f"Stopped at {when(game.view().time)}. Saved to {self.save}; continue with: "
                    f"brink play --resume {self.save}",
                    markup=False,
                )
            else:
                self.console.print("Stopped. The game was not saved (no --save FILE was given).")
            return
        self._save(game)
        self.console.print(render_outcome(game.view()))
        self.console.print(render_debrief(build_debrief(game)))
        if self.save:
            self.console.print(f"The finished game is saved in {self.save}.")

    def _save(self, game: Game) -> None:
        if self.save is not None:
            save_record(self.save, game.record)


def _label(choice: ChoiceView) -> str:
    if choice.letter is not None:
        spec = choice.letter
        how = "public" if spec.public else "secret"
        return f"{choice.label} ({how} {spec.kind} to {spec.to_name})"
    return choice.label + (" (secret)" if choice.secret else "")


def render_outcome(view: GameView) -> RenderableType:
    outcome = view.outcome
    assert outcome is not None
    text = Text(f"{outcome.label} — {when(outcome.time)}\n", style="bold")
    text.append(outcome.text)
    if outcome.utility is not None:
        text.append(f"\nScore for your side: {outcome.utility:g}")
    text.append(f"\nSources: {', '.join(outcome.sources)}")
    return Panel(text, title="The outcome", title_align="left")


def render_debrief(debrief: Debrief) -> RenderableType:
    """The debrief: your path beside history, day by day, then the choices and sources."""
    parts: list[RenderableType] = []
    replay = debrief.historical_replay
    parts.append(
        Text(
            f"With the historical decision-makers on the same draws: {replay.label} "
            f"({when(replay.time)}).\n{debrief.historical_note}"
        )
    )
    for day in debrief.days:
        table = Table(title=day.label, title_justify="left", show_header=True, expand=True)
        table.add_column("Your game", ratio=1)
        table.add_column("History", ratio=1)
        mine = [f"{when(p.time)[-5:]} YOU: {p.text} [{', '.join(p.sources)}]" for p in day.yours]
        mine += [f"{when(p.time)[-5:]} {p.text}" for p in day.seen]
        mine += [f"{when(p.time)[-5:]} (hidden from you) {p.text}" for p in day.hidden]
        hist = []
        for h in day.history:
            mark = (
                f"in your game at {when(h.in_game)[-5:]}"
                if h.in_game
                else ("your game had ended" if h.game_over else "not in your game")
            )
            hist.append(f"{when(h.time)[-5:]} {h.text} [{', '.join(h.sources)}] — {mark}")
        table.add_row("\n".join(mine) or "—", "\n".join(hist) or "—")
        parts.append(table)
    if debrief.comparison:
        table = Table(title="Your choices beside the documented ones", title_justify="left")
        for col in ("choice", "history", "you", "verdict", "sources"):
            table.add_column(col)
        for c in debrief.comparison:
            table.add_row(
                c.label,
                when(c.history_time) if c.history_time else "—",
                when(c.your_time) if c.your_time else "—",
                c.verdict + (f" ({c.hours_apart:+g} h)" if c.hours_apart else ""),
                ", ".join(c.sources),
            )
        parts.append(table)
    sources = Table(title="Sources", title_justify="left", show_header=False)
    sources.add_column("id", no_wrap=True)
    sources.add_column("source")
    for s in debrief.sources:
        sources.add_row(s.id, s.title + (f" — {s.url}" if s.url else ""))
    parts.append(sources)
    return Panel(Group(*parts), title="Debrief", title_align="left")
