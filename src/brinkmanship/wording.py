"""How texts a player reads join their parts: a note after a name, an actor before what
it did, a sender inside a sentence, a source by its name. Each rule is stated here once;
the engine's record, the narrative, the terminal, the web pages and the debrief use them
(tests/test_scenario_texts.py scans what the screens show)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

ASSUMPTION = "MODEL"
"""The source id a scenario cites for its own modelling assumptions (docs/*.md)."""

ASSUMPTION_NAME = "assumption"
"""How a player reads :data:`ASSUMPTION` among a text's sources."""

ASSUMPTION_TITLE = "An assumption of this simulation, not a documented fact."
"""How the debrief's list of sources explains :data:`ASSUMPTION_NAME`."""


EPILOGUE = "Told after the game, as history: it may say what your side never learned."
"""What an outcome's text is, said above it on the end screens: the historian's epilogue,
not what the player's side knew in the game (tests/test_knowledge_leaks.py)."""


def source_name(ident: str) -> str:
    """A cited source as a player reads it: its id, or "assumption" for the scenario's own
    modelling assumptions."""
    return ASSUMPTION_NAME if ident == ASSUMPTION else ident


def cited(ids: Iterable[str]) -> list[str]:
    """A text's sources as a player reads them (:func:`source_name`)."""
    return [source_name(i) for i in ids]


def source_title(ident: str, titles: Mapping[str, str]) -> str:
    """A cited source by its title, as the end of a game lists it; the scenario's own
    modelling assumptions by :data:`ASSUMPTION_TITLE`."""
    if ident in (ASSUMPTION, ASSUMPTION_NAME):
        return ASSUMPTION_TITLE
    return titles.get(ident, ident)


def numbered(ids: Iterable[str], listed: Sequence[str]) -> list[tuple[int, str]]:
    """The sources ``ids`` that a list of sources (``listed``) holds, each with its number
    there (from 1), in order of number."""
    return sorted({(listed.index(i) + 1, i) for i in ids if i in listed})


def footnotes(ids: Iterable[str], listed: Sequence[str]) -> str:
    """Sources cited by their numbers in a list of sources (:func:`numbered`): " [1, 4]";
    "" when none of them is listed."""
    numbers = [str(n) for n, _ in numbered(ids, listed)]
    return f" [{', '.join(numbers)}]" if numbers else ""


def orders_left(labels: Sequence[tuple[str, bool]]) -> str:
    """Orders not carried out, each ``(label, is_a_wait)``, in words: the others by their
    labels, the waits counted ("Quarantine; 2 waits")."""
    waits = sum(1 for _, wait in labels if wait)
    said = [label for label, wait in labels if not wait]
    if waits:
        said.append("a wait" if waits == 1 else f"{waits} waits")
    return "; ".join(said)


def sentence(text: str) -> str:
    """``text`` ending in one full stop: one that ends in a stop already ("… 11 p.m.")
    takes none ("11 p.m.." never)."""
    body = text.rstrip()
    return body if not body or body.endswith((".", "!", "?")) else f"{body}."


def noted(text: str, note: str) -> str:
    """``text (note)``; a text that already ends in brackets takes the note inside them
    ("Decide on an air strike (launched later; secret)", never "…(launched later)
    (secret)"), once."""
    if not text.endswith(")"):
        return f"{text} ({note})"
    inside = text[text.rfind("(") + 1 : -1]
    if note in (part.strip() for part in inside.split(";")):
        return text
    return f"{text[:-1]}; {note})"


_WORD = re.compile(r"[\w-]+")


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def names_its_subject(name: str, text: str) -> bool:
    """Whether ``text`` opens by naming ``name``: a name of one word is the text's first
    word (after an article); of more, its last two words (a bracket at its end aside) are
    among the text's first six, as in "President Kennedy receives…" or "The patrol boat
    breaks off" for "East patrol boat"."""
    head = _words(re.sub(r"\s*\([^()]*\)\s*$", "", name))[-2:]
    if not head:  # a name that is all bracket ("(Chairman of …)") names nothing
        return False
    opening = _words(text)
    if opening[:1] in (["the"], ["a"], ["an"]):
        opening = opening[1:]
    if len(head) == 1:
        return opening[:1] == head
    return any(opening[i : i + 2] == head for i in range(5))


UNATTRIBUTED_KINDS = frozenset({"delivery", "deal"})
"""Kinds of record that are nobody's act: a letter arriving (recorded with its recipient),
a deal concluded."""


def attributed(name: str, text: str, kind: str = "") -> str:
    """``name: text``, or ``text`` alone where it names its subject already (never
    "President Kennedy: President Kennedy receives…") or is nobody's act
    (:data:`UNATTRIBUTED_KINDS`)."""
    if not name or kind in UNATTRIBUTED_KINDS or names_its_subject(name, text):
        return text
    return f"{name}: {text}"


def with_article(noun: str) -> str:
    """``an offer``, ``a demand``."""
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def within(name: str) -> str:
    """A name as it reads inside a sentence: "the British government …" for "The British
    government …" (a name that is a title, like "President Kennedy", keeps its capital)."""
    return f"the {name[4:]}" if name.startswith("The ") else name


def addressee(name: str) -> str:
    """A name inside a bracketed note: "the Soviet leadership" for "The Soviet leadership
    (Andropov)" (a bracket never opens inside a bracket)."""
    bare = name[: name.index(" (")] if name.endswith(")") and " (" in name else name
    return within(bare)


def proper_words(names: Iterable[str]) -> frozenset[str]:
    """The words of ``names`` that are names wherever they stand: each capitalised word but
    a name's first ("Gromyko" of "Andrei Gromyko", "Fomin" of "Aleksandr Feklisov
    ('Fomin')"; not "Strategic" of "Strategic Air Command", which may open any sentence)."""
    return frozenset(w for name in names for w in _WORD.findall(name)[1:] if w[:1].isupper())


def in_sentence(label: str, proper: frozenset[str] = frozenset()) -> str:
    """A label as it reads after a colon inside a sentence: 'Choose the quarantine' →
    'choose the quarantine'; one that opens with a name ('Gromyko assures Kennedy',
    "Fomin's feeler", ``proper`` holding the names) or an acronym ('RFK meets Dobrynin')
    unchanged."""
    first = _WORD.findall(label)[:1]
    if first and first[0] in proper:
        return label
    if len(label) > 1 and label[0].isupper() and label[1].islower():
        return label[0].lower() + label[1:]
    return label
