"""The choices of a decision point as menus: plain actions, and letters grouped by kind
and channel, so a letter is written by picking typed terms — never free text.

A message action that also acts on the world (a televised address) stays in the main list.
"""

from __future__ import annotations

from dataclasses import dataclass

from brinkmanship.engine.observation import WAIT
from brinkmanship.play.view import ChoiceView, LetterSpec

KIND_ORDER = ("offer", "demand", "pledge", "statement", "accept", "reject")
KIND_LABELS = {
    "offer": "Offer (terms for terms)",
    "demand": "Demand",
    "pledge": "Pledge (a unilateral promise)",
    "statement": "Statement",
    "accept": "Accept an offer",
    "reject": "Refuse a demand or an offer",
}


def letter_kind(spec: LetterSpec) -> str:
    """The kind of letter as the player thinks of it: a statement that gives terms is a pledge."""
    if spec.kind == "statement" and spec.give:
        return "pledge"
    return spec.kind


def is_letter(choice: ChoiceView) -> bool:
    """A pure message: it sends a letter and does nothing else directly."""
    return choice.letter is not None and not choice.effects


def channel_title(spec: LetterSpec) -> str:
    return f"{'public' if spec.public else 'secret'}: {spec.channel_label}"


def terms_line(spec: LetterSpec, *, addressed: bool = True) -> str:
    """``to X — you give: ...; you ask: ...`` in words (without ``to X`` where not
    ``addressed``: the letter's name says to whom)."""
    parts = []
    if spec.give:
        parts.append("you give: " + "; ".join(t.label for t in spec.give))
    if spec.get:
        parts.append("you ask: " + "; ".join(t.label for t in spec.get))
    if spec.reply_to:
        parts.append(f"in reply to {spec.reply_to_title or 'their message'}")
    if not addressed:
        return "; ".join(parts)
    return f"to {spec.to_name}" + (" — " + "; ".join(parts) if parts else "")


@dataclass(frozen=True)
class ChannelGroup:
    """The letters of one kind that go by one channel."""

    title: str
    public: bool
    letters: tuple[ChoiceView, ...]


@dataclass(frozen=True)
class KindGroup:
    """The letters of one kind, by channel."""

    kind: str
    title: str
    channels: tuple[ChannelGroup, ...]


@dataclass(frozen=True)
class Menu:
    """A decision point's top menu: ``wait``, the plain actions, and the letters."""

    wait: ChoiceView
    actions: tuple[ChoiceView, ...]
    letters: tuple[KindGroup, ...]

    @property
    def letter_count(self) -> int:
        return sum(len(ch.letters) for k in self.letters for ch in k.channels)


def build_menu(choices: list[ChoiceView]) -> Menu:
    """Group a view's choices into menus (order follows the scenario within each group)."""
    wait = next(c for c in choices if c.id == WAIT)
    actions = tuple(c for c in choices if c.id != WAIT and not is_letter(c))
    by_kind: dict[str, dict[str, list[ChoiceView]]] = {}
    public: dict[str, bool] = {}
    for c in choices:
        if c.letter is None or not is_letter(c):
            continue
        title = channel_title(c.letter)
        public[title] = c.letter.public
        by_kind.setdefault(letter_kind(c.letter), {}).setdefault(title, []).append(c)
    kinds = []
    for kind in sorted(by_kind, key=lambda k: KIND_ORDER.index(k) if k in KIND_ORDER else 99):
        channels = tuple(
            ChannelGroup(title, public[title], tuple(letters))
            for title, letters in sorted(by_kind[kind].items(), key=lambda kv: kv[0])
        )
        kinds.append(KindGroup(kind, KIND_LABELS.get(kind, kind.capitalize()), channels))
    return Menu(wait, actions, tuple(kinds))
