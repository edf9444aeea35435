"""Playing in a terminal: rich for layout, numbered menus read line by line from stdin.

Works over a plain SSH session (no mouse, no full-screen mode) and can be driven by a script
on stdin. The game is saved after every move; end of input saves and stops cleanly.

Each screen shows what changed since the player's previous decision; the full table of what
the side knows (``s``) and the opening briefing (``b``) are one key away. Enter alone waits.
Every choice keeps its number from screen to screen (``view.WAIT_NUMBER``). Several numbers
in one answer (``19 22 2``) give several orders at once (:meth:`Game.carry_out`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from brinkmanship.engine.observation import WAIT
from brinkmanship.play.debrief import (
    Debrief,
    build_debrief,
    debrief_markdown,
    ended,
    outcome_lines,
    timeline,
)
from brinkmanship.play.game import MAX_ORDERS, WAIT_FOR_NEWS, Game
from brinkmanship.play.menus import KindGroup, Menu, build_menu, terms_line
from brinkmanship.play.record import SaveFileError, save_record
from brinkmanship.play.view import (
    AdviceView,
    AlertLevel,
    ChoiceView,
    EventView,
    GameView,
    LetterView,
    PlanView,
    kind_name,
    new_letters,
    plain_clock,
    plain_time,
    value_text,
)
from brinkmanship.wording import addressee, noted, orders_left, sentence

ReadLine = Callable[[], str]
"""Returns the next input line (with its newline), or ``""`` at end of input."""

LETTER_KEY = "l"
STATE_KEY = "s"
BRIEFING_KEY = "b"
INBOX_KEY = "i"
SEVERAL_HELP = "Several orders: their numbers in turn, e.g. 4 2 = do 4, then wait for news"
"""How to give several orders at one decision (one line at 80 columns)."""
TITLE_MARGIN = 6
"""What a panel's title needs beside its text: two corners, two rules and two spaces."""
PAGED_LINES = 60
"""A debrief longer than this goes through the pager (on a terminal only)."""


class InputEndedError(Exception):
    """Input ran out (or the player asked to stop): save and leave."""


def when(iso: str) -> str:
    """``1962-10-16T12:00-04:00`` → ``Tue 16 Oct, noon``."""
    return plain_time(iso)


def _letter(letter: LetterView, new: bool) -> RenderableType:
    """A new letter in full; one seen before as a single line."""
    head = Text()
    if new:
        head.append("NEW ", style="bold yellow")
    head.append(
        f"{letter.kind_name.upper()} from {letter.sender_name}", style="bold" if new else ""
    )
    head.append(noted(f" by {letter.channel_label}", "public" if letter.public else "private"))
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


def _event_line(e: EventView) -> str:
    return e.line()


def render_briefing(view: GameView) -> RenderableType:
    """The opening briefing: what the side is told at the start, without clock times."""
    text = "\n\n".join(_event_line(e) for e in view.briefing)
    return Panel(text or "(no briefing)", title="Briefing", title_align="left")


def render_state(view: GameView, full: bool = True) -> RenderableType:
    """The table of what the side knows: every quantity and the yes/no facts (all of them
    when ``full``, else those that hold)."""
    known = Table(title="What your side knows", title_justify="left", show_header=False)
    known.add_column("what")
    known.add_column("value", justify="right")
    for item in view.state:
        if item.shown_as == "quantity" or (item.shown_as == "fact" and (full or item.value)):
            known.add_row(item.label, value_text(item))
    return known


def render_plan(plan: PlanView) -> RenderableType:
    """What became of the orders given at the previous decision: those carried out with
    their time, and, if they stopped early, why and the numbers to give the rest again."""
    done = [o for o in plan.orders if o.time is not None]
    left = [o for o in plan.orders if o.time is None]
    text = Text("Your orders: ", style="bold")
    said = [f"{o.label} ({when(o.time)})" for o in done if o.time and o.id != WAIT_FOR_NEWS]
    if len(said) < len(done):
        said.append("then waited until something happened")
    text.append("; ".join(said) + ".")
    if left:
        text.append(f"\nStopped: {plan.stopped}. Not carried out: ", style="bold")
        text.append(orders_left([(f"[{o.number}] {o.label}", o.id == WAIT) for o in left]))
        text.append(f" (to give them again: {' '.join(str(o.number) for o in left)}).")
    return text


def _advice(c: AdviceView) -> str:
    if c.number is None:
        head = c.action_label
    else:
        head = f"[{c.number}] {c.action_label}"
        head = noted(head, c.where) if c.where else head
    return head + (f" — {c.why}" if c.why else "")


def render_view(view: GameView, full_state: bool = False) -> RenderableType:
    """The decision screen: time, alerts, news, what changed, inbox, counsel.

    The first screen carries the briefing and the full table of what the side knows; later
    screens show only what changed (``full_state`` shows the table anyway)."""
    first = view.moves == 0
    parts: list[RenderableType] = []
    alerts = Text("   ").join(
        Text.assemble(f"{a.label}: ", (f"{a.value:g}", "bold"), _danger(a)) for a in view.alerts
    )
    parts.append(alerts if view.alerts else Text("(no alert levels)"))
    if first and view.briefing:
        parts.append(render_briefing(view))
    if view.plan is not None:
        parts.append(render_plan(view.plan))
    if view.news:
        parts.append(Text("News: " + "; ".join(view.news) + ".", style="bold"))
    news = [e for e in view.events if e.new and e.kind != "counsel" and not (first and e.tick == 0)]
    if news:
        title = "What has happened" if first else "Since your last decision"
        table = Table(title=title, title_justify="left", show_header=False)
        table.add_column("time", no_wrap=True)
        table.add_column("what")
        one_day = all(e.time[:10] == view.time[:10] for e in news)
        for e in news:
            table.add_row(plain_clock(e.time) if one_day else when(e.time), _event_line(e))
        parts.append(table)
    if first or full_state:
        parts.append(render_state(view, full=full_state))
    elif view.changes:
        changed = Table(title="What changed", title_justify="left", show_header=False)
        changed.add_column("what")
        changed.add_column("was", justify="right")
        changed.add_column("now", justify="right")
        for ch in view.changes:
            changed.add_row(ch.label, ch.before, ch.after)
        parts.append(changed)
    else:
        parts.append(Text("Nothing your side can see has changed."))
    fresh, earlier = new_letters(view)
    if fresh or earlier:
        letters = [_letter(x, True) for x in fresh]
        if earlier:
            n = len(earlier)
            letters.append(
                Text(f"{n} earlier letter{'' if n == 1 else 's'}: {INBOX_KEY} = all letters")
            )
        parts.append(Panel(Group(*letters), title="Inbox", title_align="left"))
    table = Table(title="Your advisers", title_justify="left", show_header=False)
    if any(s.everyone for s in view.silent):  # one line for the whole body
        table.add_column("advice")
        table.add_row(view.silent[0].text)
        parts.append(table)
    elif view.advised or view.silent:
        table.add_column("who")
        table.add_column("advice")
        for a in view.advised:
            table.add_row(f"{a.who} ({a.role})" if a.role else a.who, _advice(a))
        for s in view.silent:
            table.add_row(s.who, s.text)
        parts.append(table)
    return _Screen(plain_time(view.time, year=True), view.side_name, view.title, parts)


def nothing_to_decide(view: GameView) -> str:
    """Why a game ended without a screen: every hour offered the side only waiting,
    and such hours pass by themselves."""
    return (
        f"{view.side_name} had nothing to decide in this game: every hour until the end "
        "offered only waiting, and such hours pass by themselves."
    )


def key_lines(keys: Sequence[str], width: int) -> str:
    """The keys a screen offers, joined by " · " in lines of at most ``width`` columns,
    each key whole on one line (never "q =" at a line's end and "quit" on the next)."""
    lines = [keys[0]] if keys else []
    for key in keys[1:]:
        joined = f"{lines[-1]} · {key}"
        if cell_len(joined) <= width:
            lines[-1] = joined
        else:
            lines.append(key)
    return "\n".join(lines)


class _Screen:
    """A decision screen's panel: the time and the side in its title, or, where the title
    would not hold them whole at the console's width (rich cuts a long title off: "…
    (Thatcher,"), the time in the title and the side on the panel's first line."""

    def __init__(self, time: str, side: str, subtitle: str, parts: list[RenderableType]) -> None:
        self.time, self.side, self.subtitle, self.parts = time, side, subtitle, parts

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        title = f"{self.time} — {self.side}"
        parts = self.parts
        if cell_len(title) + TITLE_MARGIN > options.max_width:
            title, parts = self.time, [Text(self.side, style="bold"), *parts]
        yield Panel(Group(*parts), title=title, subtitle=self.subtitle)


def _danger(alert: AlertLevel) -> str:
    """Where the level is most dangerous: `` (danger at 1)`` for DEFCON."""
    worst = alert.low if alert.counts == "down" else alert.high
    return f" (danger at {worst:g})"


def render_inbox(view: GameView) -> RenderableType:
    """Every letter received: the earlier ones a line each, then the new ones in full."""
    fresh, earlier = new_letters(view)
    letters = [_letter(x, False) for x in earlier] + [_letter(x, True) for x in fresh]
    return Panel(Group(*letters) if letters else Text("No letters."), title="All letters")


class TerminalGame:
    """Drives a :class:`Game` from numbered menus; saves after every move."""

    def __init__(
        self,
        console: Console,
        read_line: ReadLine,
        save: Path | None,
        *,
        echo: bool = False,
        debrief: Path | None = None,
    ) -> None:
        self.console = console
        self.read_line = read_line
        self.save = save
        self.echo = echo
        """Print each answer read (when input does not come from a terminal that echoes it)."""
        self.debrief = debrief
        """Write the debrief there (Markdown) when the game ends."""

    # ---------------------------------------------------------------- input

    def read(self, prompt: str) -> str:
        """One answer, stripped and lower-cased; ``q`` or end of input stops."""
        self.console.print(f"{prompt}: ", end="")
        line = self.read_line()
        if line == "":
            self.console.print()
            raise InputEndedError
        answer = line.strip().lower()
        if self.echo:
            self.console.print(answer, highlight=False, markup=False)
        if answer in ("q", "quit"):
            raise InputEndedError
        return answer

    def ask(self, prompt: str, numbers: Sequence[int], *, back: bool = False) -> int:
        """One of ``numbers`` (0 = back one step when ``back``; Enter too)."""
        allowed = set(numbers) | ({0} if back else set())
        while True:
            answer = self.read(f"{prompt} [{_ranges(sorted(allowed))}]")
            if answer == "" and back:
                return 0
            if answer.isdigit() and int(answer) in allowed:
                return int(answer)
            self.console.print(f"Please enter one of {_ranges(sorted(allowed))}.")

    def orders(self, answer: str, by_number: dict[int, ChoiceView]) -> list[str] | None:
        """Several choice numbers in one answer (``19 22 2``) as orders, or ``None`` (and a
        line saying why) if the answer is not such a list."""
        words = answer.replace(",", " ").split()
        unknown = [w for w in words if not w.isdigit() or int(w) not in by_number]
        ids = [by_number[int(w)].id for w in words if w not in unknown]
        if unknown:
            self.console.print(f"Not a choice now: {', '.join(unknown)}.")
        elif len(ids) > MAX_ORDERS:
            self.console.print(f"At most {MAX_ORDERS} orders at once.")
        elif WAIT_FOR_NEWS in ids[:-1]:
            news = next(n for n, c in by_number.items() if c.id == WAIT_FOR_NEWS)
            self.console.print(f"{news} (wait until something happens) can only come last.")
        else:
            return ids
        return None

    # ---------------------------------------------------------------- menus

    def _numbered(self, title: str, rows: Sequence[tuple[str, str, str]]) -> None:
        table = Table(title=title, title_justify="left", show_header=False, expand=False)
        table.add_column("#", justify="right", no_wrap=True)
        table.add_column("choice", no_wrap=False)
        explained = any(text for _, _, text in rows)
        if explained:
            table.add_column("what it means")
        for key, label, text in rows:
            table.add_row(key, label, *([text] if explained else []))
        self.console.print(table)

    def choose(self, view: GameView) -> list[str]:
        """Ask for a choice (by its fixed number), through the letter menus when the player
        writes one; Enter alone waits, ``s`` and ``b`` show the state and the briefing.
        Several numbers give several orders, carried out one per decision in turn."""
        menu = build_menu(view.choices)
        by_number = {c.number: c for c in view.choices}
        rows = [(str(menu.wait.number), f"{menu.wait.label} (Enter)", menu.wait.text)]
        rows += [(str(c.number), _label(c), c.text) for c in sorted(menu.actions, key=_number)]
        if menu.letters:
            rows.append((LETTER_KEY, "Write a letter…", _letter_summary(menu)))
        keys = ["Enter waits", f"{STATE_KEY} = all your side knows", f"{BRIEFING_KEY} = briefing"]
        keys += [f"{INBOX_KEY} = all letters"] if view.inbox else []
        keys += ["q = save and quit" if self.save is not None else "q = quit (not saved)"]
        keys_text = key_lines(keys, self.console.width)
        several = WAIT_FOR_NEWS in {c.id for c in view.choices}
        while True:
            self._numbered("Your choices", rows)
            self.console.print(keys_text)
            if several:
                self.console.print(SEVERAL_HELP)
            answer = self.read("Your choice")
            if answer == "":
                return [WAIT]
            if answer.isdigit() and int(answer) in by_number:
                return [by_number[int(answer)].id]
            if several and _is_list(answer):
                if (orders := self.orders(answer, by_number)) is not None:
                    return orders
            elif answer == STATE_KEY:
                self.console.print(render_state(view))
            elif answer == BRIEFING_KEY:
                self.console.print(render_briefing(view))
            elif answer == INBOX_KEY and view.inbox:
                self.console.print(render_inbox(view))
            elif answer == LETTER_KEY and menu.letters:
                picked = self._letter_menu(menu, by_number if several else {})
                if picked is not None:
                    return picked
            else:
                others = ([LETTER_KEY] if menu.letters else []) + [STATE_KEY, BRIEFING_KEY]
                others += [INBOX_KEY] if view.inbox else []
                self.console.print(
                    f"Please enter a choice's number ({_ranges(sorted(by_number))}), "
                    f"{', '.join(others)} or q."
                )

    def _letter_menu(self, menu: Menu, by_number: dict[int, ChoiceView]) -> list[str] | None:
        """Kind, channel, terms, each asked only where there is more than one; ``0`` goes
        back one step, to the last question asked (from the first: to the choices). With
        ``by_number`` (the decision's choices), the terms may be followed by further
        orders' numbers."""
        kinds = menu.letters
        kind: KindGroup | None = None
        if len(kinds) == 1:
            kind = kinds[0]
            self.console.print(f"Kind of letter: {kind.title}")
        while True:
            if kind is None:
                kind = self._pick_kind(kinds)
                if kind is None:
                    return None
            channels = kind.channels
            if len(channels) == 1:
                channel = channels[0]
                self.console.print(f"Channel: {channel.title}")
            else:
                self._numbered(
                    "Channel", [(str(i), ch.title, "") for i, ch in enumerate(channels, 1)]
                )
                n = self.ask("Channel (0 = back)", range(1, len(channels) + 1), back=True)
                if n == 0:
                    if len(kinds) == 1:
                        return None
                    kind = None
                    continue
                channel = channels[n - 1]
            rows = []
            for c in channel.letters:
                assert c.letter is not None
                terms = terms_line(c.letter, addressed=f"to {c.letter.to_name}" not in c.label)
                rows.append((str(c.number), f"{c.label}: {terms}" if terms else c.label, c.text))
            self._numbered(f"{kind.title} — terms", rows)
            picked = self._terms(channel.letters, by_number)
            if picked:
                return picked
            if len(channels) == 1:  # the channel was not asked: back past it
                if len(kinds) == 1:
                    return None
                kind = None

    def _terms(self, letters: Sequence[ChoiceView], by_number: dict[int, ChoiceView]) -> list[str]:
        """A letter's number, perhaps followed by further orders; empty: back."""
        if not by_number:
            n = self.ask("Terms (0 = back)", [c.number for c in letters], back=True)
            return [next(c.id for c in letters if c.number == n)] if n else []
        allowed = [0, *(c.number for c in letters)]
        while True:
            answer = self.read(
                f"Terms (0 = back; more numbers = orders after it) [{_ranges(allowed)}]"
            )
            first = answer.replace(",", " ").split()[:1]
            if answer in ("", "0"):
                return []
            if first and first[0].isdigit() and int(first[0]) in allowed[1:]:
                if answer.isdigit():
                    return [by_number[int(answer)].id]
                if (orders := self.orders(answer, by_number)) is not None:
                    return orders
            else:
                self.console.print(f"Please start with one of {_ranges(allowed)}.")

    def _pick_kind(self, kinds: Sequence[KindGroup]) -> KindGroup | None:
        self._numbered("Kind of letter", [(str(i), k.title, "") for i, k in enumerate(kinds, 1)])
        n = self.ask("Kind (0 = back)", range(1, len(kinds) + 1), back=True)
        return None if n == 0 else kinds[n - 1]

    # ------------------------------------------------------------------ loop

    def run(self, game: Game) -> None:
        """Play until the outcome or the end of input; then the debrief (if over). A save or
        debrief file that cannot be written is refused before the first screen."""
        for path, what in ((self.save, "the save file"), (self.debrief, "the debrief")):
            if path is not None:
                check_writable(path, what)
        try:
            while not game.finished:
                view = game.view()
                self.console.print(render_view(view))
                orders = self.choose(view)
                if len(orders) == 1:
                    game.choose(orders[0], at_tick=view.tick)
                else:
                    game.carry_out(orders, at_tick=view.tick)
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
        debrief = build_debrief(game)
        if not game.record.moves:  # no screen came: say why before the ending
            self.console.print(nothing_to_decide(game.view()))
        self.console.print(render_outcome(game.view()))
        self.show_debrief(debrief)
        if self.debrief is not None:
            write_debrief(self.debrief, debrief)
            self.console.print(f"The debrief is written to {self.debrief}.")
        if self.save:
            self.console.print(f"The finished game is saved in {self.save}.")

    def show_debrief(self, debrief: Debrief) -> None:
        """The debrief, through the pager when it is long and stdout is a terminal."""
        rendered = render_debrief(debrief)
        lines = self.console.render_lines(rendered, pad=False)
        if self.console.is_terminal and len(lines) > PAGED_LINES:
            # plain text: the system pager (less without -R) would show colour codes as text
            with self.console.pager(styles=False):
                self.console.print(rendered)
        else:
            self.console.print(rendered)

    def _save(self, game: Game) -> None:
        if self.save is not None:
            save_record(self.save, game.record, game.saved_orders())


def check_writable(path: Path, what: str) -> None:
    """Refuse, in one clear error, a file that cannot be written; leave it as it was (a file
    that did not exist still does not)."""
    existed = path.exists()
    try:
        with path.open("a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise SaveFileError(f"{path}: cannot write {what} ({exc.strerror})") from None
    if not existed:
        path.unlink(missing_ok=True)


def write_debrief(path: Path, debrief: Debrief) -> None:
    """Write the debrief to ``path`` as Markdown; a problem is one clear error."""
    try:
        path.write_text(debrief_markdown(debrief), encoding="utf-8")
    except OSError as exc:
        raise SaveFileError(f"{path}: cannot write the debrief ({exc.strerror})") from None


def _is_list(answer: str) -> bool:
    """Whether an answer lists several things (``19 22 2``, ``19,2``)."""
    return len(answer.replace(",", " ").split()) > 1


def _ranges(numbers: Sequence[int]) -> str:
    """``0, 1-3, 7, 9-10``: numbers as short ranges."""
    out: list[str] = []
    for n in numbers:
        if out and n == int(out[-1].split("-")[-1]) + 1:
            out[-1] = f"{out[-1].split('-')[0]}-{n}"
        else:
            out.append(str(n))
    return ", ".join(out)


def _letter_summary(menu: Menu) -> str:
    """How many letters the player may write, by kind: "3 possible: statement ×2, reject"."""
    kinds = []
    for k in menu.letters:
        n = sum(len(ch.letters) for ch in k.channels)
        kinds.append(f"{kind_name(k.kind)} ×{n}" if n > 1 else kind_name(k.kind))
    return f"{menu.letter_count} possible: {', '.join(kinds)}"


def _label(choice: ChoiceView) -> str:
    if choice.letter is not None:
        spec = choice.letter
        how = "public" if spec.public else "secret"
        return noted(choice.label, f"{how} {kind_name(spec.kind)} to {addressee(spec.to_name)}")
    return noted(choice.label, "secret") if choice.secret else choice.label


def render_outcome(view: GameView) -> RenderableType:
    outcome = view.outcome
    assert outcome is not None
    text = Text(f"{outcome.label} — {ended(outcome)}\n", style="bold")
    if outcome.text:
        text.append(f"{outcome.epilogue}\n", style="italic")
    text.append(outcome.text)
    for line in outcome_lines(outcome):
        text.append(f"\n{line}")
    if outcome.source_titles:
        text.append(f"\nSources: {'; '.join(outcome.source_titles)}")
    return Panel(text, title="The outcome", title_align="left")


def render_debrief(debrief: Debrief) -> RenderableType:
    """The debrief: your path beside history, day by day in time order, then the choices
    and sources."""
    parts: list[RenderableType] = []
    if debrief.counterfactuals:
        parts.append(Text(f"Counterfactuals: {'; '.join(debrief.counterfactuals)}."))
    replay = debrief.historical_replay
    parts.append(
        Text(
            sentence(
                f"With the historical decision-makers on the same draws: {replay.label}, "
                f"{ended(replay)}"
            )
            + f"\n{debrief.historical_note}"
        )
    )
    for day in debrief.days:
        table = Table(title=day.label, title_justify="left", show_header=True, expand=True)
        table.add_column("Your game", ratio=1)
        table.add_column("History", ratio=1)
        mine = [f"{clock} {line}" for _, clock, line in timeline(debrief, day)]
        hist = []
        for h in day.history:
            mark = (
                f"in your game at {plain_clock(h.in_game)}"
                if h.in_game and h.in_game[:10] == h.time[:10]
                else f"in your game on {when(h.in_game)}"
                if h.in_game
                else ("your game had ended" if h.game_over else "not in your game")
            )
            hist.append(f"{h.clock}: {h.text}{debrief.cite(h.sources)} — {mark}")
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
                debrief.cite(c.sources).strip(),
            )
        parts.append(table)
    sources = Table(title="Sources", title_justify="left", show_header=False)
    sources.add_column("number", no_wrap=True)
    sources.add_column("source")
    for n, s in enumerate(debrief.sources, 1):
        sources.add_row(f"{n}.", s.title + (f" — {s.url}" if s.url else ""))
    parts.append(sources)
    return Panel(Group(*parts), title="Debrief", title_align="left")


def _number(choice: ChoiceView) -> int:
    return choice.number
