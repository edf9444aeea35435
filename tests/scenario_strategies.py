"""Hypothesis strategies for random but valid scenario documents.

:func:`scenario_documents` draws a plain scenario document (the mapping a scenario YAML
file holds, ``docs/scenario-format.md``) that the normal loader and compiler accept, and
:func:`load_document` dumps it to YAML text and loads it the way ``brink`` loads a file.
Documents are small (2-4 actors, a few of each element, at most 60 ticks) so that one
runs in milliseconds, yet each draws from every mechanism of the scenario language:

* parameters (with and without a range) and typed variables (bool/int/float, with or
  without bounds),
  with initial values that are literals or expressions over parameters, and with public,
  hidden or per-actor visibility;
* expressions of every kind: arithmetic (``+ - * / // %``), powers, unary minus,
  comparisons and comparison chains, ``and``/``or``/``not``, ``x if c else y``, and
  ``min``/``max``/``abs``/``floor``/``ceil``/``clip``; in about half of the documents a
  division may hit zero at run time (in the others every divisor is kept away from zero),
  so both engines must raise the same error on the same runs;
* events scheduled (``at``), conditional (``when``), hazards (also at a time), once or
  repeatable, with visibility and an actor;
* actions with preconditions, effects, delays (fixed, or drawn uniform or triangular, whose
  landing also triggers decisions), ``once``, costs (also charged to subordinates' sides),
  escalation scores and visibility (public, secret, listed);
* messages over channels with fixed, uniform or triangular latency, misreading (with a
  misread kind and text, and ``on_misread`` effects), offers and demands with terms
  given and asked, accepts and rejects answering them, statements with pledges, and
  public channels;
* decision points on schedules (``every`` with ``start``, ``at``), triggered by events,
  actions and messages the actor can observe, with conditions on what it sees;
* bodies with a leader, consent (``k``, proposer, ``requires``, fallback) or vote rule,
  members with weights (expressions), stances and attendance (``attends``), and action
  channels (actions Model III carries only where a condition holds);
* policies as data (scripts with ``at``/``until``/``when`` and fallback rules, rules with ``when``
  and ``p``), repertoires for ``organizational``, sides;
* outcomes with conditions, ``pending`` conditions and utilities, a default outcome
  anywhere in the order, and an escalation metric;
* mechanisms that attribute outcomes (by class and id, after events and actions, with a
  condition), a default one anywhere in the order.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import yaml
from hypothesis import strategies as st

from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.loader import build
from brinkmanship.scenario.yamlsource import load_yaml

NUMBER, BOOL = "number", "bool"
Names = Mapping[str, str]
"""Names an expression may use, with their type (NUMBER or BOOL)."""


def _reads_a_name(text: str, names: Names) -> bool:
    return any(re.search(rf"\b{re.escape(name)}\b", text) for name in names)


START = datetime(2030, 1, 1, 0, 0)
TICKS = {"1h": timedelta(hours=1), "30m": timedelta(minutes=30), "2h": timedelta(hours=2)}
LITERALS = (0, 1, 2, 3, 5, -1, -2, 0.5, 0.25, 1.5, -0.75, 10)
MAX_DEPTH = 3
Doc = dict[str, Any]


class Exprs:
    """Draws well-typed expression sources over given names.

    ``risky`` lets divisors be any number expression (so a division can hit zero at run
    time); otherwise each divisor is ``(abs(x) + 1)``."""

    def __init__(self, draw: st.DrawFn, risky: bool) -> None:
        self.draw = draw
        self.risky = risky

    def pick(self, options: Sequence[Any]) -> Any:
        return self.draw(st.sampled_from(list(options)))

    def number(self, names: Names, depth: int = MAX_DEPTH) -> str:
        """A number expression at most ``depth`` operators deep."""
        leaves = [n for n, t in names.items() if t == NUMBER]
        kinds = ["literal", "name"]
        if depth > 0:
            kinds += ["arith", "arith", "divide", "power", "neg", "call", "call", "ifelse"]
            kinds += ["divide"] if self.risky else []
        kind = self.pick(kinds)
        sub = depth - 1
        if kind == "literal" or (kind == "name" and not leaves):
            return str(self.pick(LITERALS))
        if kind == "name":
            return str(self.pick(leaves))
        if kind == "arith":
            op = self.pick(["+", "-", "*"])
            return f"({self.number(names, sub)} {op} {self.number(names, sub)})"
        if kind == "divide":
            op = self.pick(["/", "//", "%"])
            divisor = self.number(names, sub)
            if not self.risky:
                divisor = f"(abs({divisor}) + 1)"
            return f"({self.number(names, sub)} {op} {divisor})"
        if kind == "power":
            return f"({self.number(names, sub)} ** {self.draw(st.integers(0, 4))})"
        if kind == "neg":
            return f"(-{self.number(names, sub)})"
        if kind == "ifelse":
            a, c, b = self.number(names, sub), self.condition(names, sub), self.number(names, sub)
            return f"({a} if {c} else {b})"
        func = self.pick(["min", "max", "abs", "floor", "ceil", "clip"])
        if func in ("min", "max"):
            arity = self.draw(st.integers(2, 3))
        else:
            arity = 3 if func == "clip" else 1
        args = [self.number(names, sub) for _ in range(arity)]
        return f"{func}({', '.join(args)})"

    def condition(self, names: Names, depth: int = MAX_DEPTH) -> str:
        """A bool expression at most ``depth`` operators deep."""
        leaves = [n for n, t in names.items() if t == BOOL]
        kinds = ["literal", "name"]
        if depth > 0:
            kinds += ["compare", "compare", "chain", "equal", "logic", "not", "ifelse"]
        kind = self.pick(kinds)
        sub = depth - 1
        if kind == "literal" or (kind == "name" and not leaves):
            return str(self.draw(st.booleans()))
        if kind == "name":
            return str(self.pick(leaves))
        if kind == "compare":
            op = self.pick(["<", "<=", ">", ">=", "==", "!="])
            return f"({self.number(names, sub)} {op} {self.number(names, sub)})"
        if kind == "chain":
            a, b, c = (self.number(names, sub) for _ in range(3))
            return f"({a} {self.pick(['<', '<='])} {b} {self.pick(['<', '<=', '!='])} {c})"
        if kind == "equal":
            op = self.pick(["==", "!="])
            return f"({self.condition(names, sub)} {op} {self.condition(names, sub)})"
        if kind == "logic":
            op = self.pick(["and", "or"])
            parts = [self.condition(names, sub) for _ in range(self.draw(st.integers(2, 3)))]
            return "(" + f" {op} ".join(parts) + ")"
        if kind == "not":
            return f"(not {self.condition(names, sub)})"
        a, c, b = (self.condition(names, sub) for _ in range(3))
        return f"({a} if {c} else {b})"

    def small(self, names: Names, kind: str = NUMBER) -> str | float | bool:
        """An expression of type ``kind``, often a plain literal (as YAML would give it)."""
        if kind == BOOL:
            if self.draw(st.integers(0, 2)) == 0:
                return self.draw(st.booleans())
            return self.condition(names, self.draw(st.integers(1, 2)))
        if self.draw(st.integers(0, 2)) == 0:
            return float(self.pick(LITERALS))
        return self.number(names, self.draw(st.integers(1, 2)))

    def probability(self, names: Names) -> str | float:
        """A probability-like number: a literal in [0, 1] or an expression (clipped by use;
        one that reads no name is clipped here, as the compiler refuses a constant outside
        [0, 1])."""
        if self.draw(st.booleans()):
            return float(self.pick([0.0, 0.05, 0.2, 0.5, 0.9, 1.0]))
        text = self.number(names, 2)
        return text if _reads_a_name(text, names) else f"clip({text}, 0, 1)"

    def weight(self, names: Names) -> str | float:
        """A member's weight: never a negative constant (the compiler refuses one)."""
        value = self.small(names)
        if isinstance(value, str):
            return value if _reads_a_name(value, names) else f"abs({value})"
        return abs(float(value))


class _Builder:
    """Builds one document section by section, keeping every reference valid."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw
        self.x = Exprs(draw, risky=draw(st.booleans()))
        self.tick_name = draw(st.sampled_from(sorted(TICKS)))
        self.tick = TICKS[self.tick_name]
        self.horizon = draw(st.integers(6, 60))
        self.doc: Doc = {}
        self.actors: list[str] = []
        self.principals: list[str] = []
        self.sides: dict[str, str] = {}
        self.variables: dict[str, Doc] = {}
        self.globals: dict[str, str] = {"tick": NUMBER, "hours": NUMBER}

    def ints(self, low: int, high: int) -> int:
        return self.draw(st.integers(low, high))

    def maybe(self) -> bool:
        return self.draw(st.booleans())

    def pick(self, options: Sequence[Any]) -> Any:
        return self.draw(st.sampled_from(list(options)))

    def subset(self, options: Sequence[Any], low: int = 0, high: int | None = None) -> list[Any]:
        if not options:
            return []
        top = len(options) if high is None else min(high, len(options))
        return self.draw(
            st.lists(st.sampled_from(list(options)), min_size=low, max_size=top, unique=True)
        )

    def time(self, first: int = 0) -> tuple[int, str]:
        """A tick on the clock and its ISO time."""
        k = self.ints(first, self.horizon)
        return k, (START + k * self.tick).strftime("%Y-%m-%dT%H:%M")

    def duration(self) -> str:
        """A duration of up to ten hours, written in either of the two accepted forms."""
        minutes = self.pick([0, 30, 45, 60, 90, 120, 180, 300, 600])
        if self.maybe():
            return f"PT{minutes}M"
        return f"{minutes // 60}h{minutes % 60}m" if minutes % 60 else f"{minutes // 60}h"

    def visible(self, actor: str) -> dict[str, str]:
        """Names ``actor`` can see: parameters, the clock, visible variables."""
        names = {n: t for n, t in self.globals.items() if n not in self.variables}
        for name, var in self.variables.items():
            vis = var.get("visibility", "public")
            if vis == "public" or (isinstance(vis, list) and actor in vis):
                names[name] = self.globals[name]
        return names

    def effects(self, low: int = 0) -> dict[str, Any]:
        chosen = self.subset(sorted(self.variables), low, 2)
        return {v: self.x.small(self.globals, self.globals[v]) for v in chosen}

    # ------------------------------------------------------------ sections

    def header(self) -> None:
        end = START + self.horizon * self.tick
        self.doc.update(
            id="generated",
            title="A generated scenario",
            clock={
                "start": START.strftime("%Y-%m-%dT%H:%M"),
                "tick": self.tick_name,
                "horizon": end.strftime("%Y-%m-%dT%H:%M"),
                "timezone": "UTC",
            },
        )

    def parameters(self) -> None:
        params: Doc = {}
        for i in range(self.ints(0, 3)):
            low = float(self.pick([0.0, -1.0, 0.5]))
            high = low + float(self.pick([0.0, 1.0, 4.0]))
            value = float(self.pick([low, high, (low + high) / 2]))
            params[f"p{i}"] = {"value": value}
            if self.maybe():
                params[f"p{i}"]["range"] = [low, high]
            self.globals[f"p{i}"] = NUMBER
        self.doc["parameters"] = params

    def state(self) -> None:
        params = [n for n in self.globals if n.startswith("p")]
        for i in range(self.ints(2, 6)):
            kind = self.pick(["bool", "int", "float"])
            var: Doc = {"type": kind}
            if kind == "bool":
                var["initial"] = self.maybe()
                if params and self.maybe():
                    var["initial"] = f"{self.pick(params)} > 0.5"
            elif kind == "int":
                low = self.ints(-3, 2)
                high = low + self.ints(1, 8)
                var.update(min=low, max=high, initial=self.ints(low, high))
                if self.ints(0, 3) == 0:
                    del var["min"], var["max"]
                if params and self.maybe():
                    var["initial"] = f"floor(clip({self.pick(params)}, {low}, {high}))"
            else:
                low_f = float(self.pick([-10.0, -1.0, 0.0]))
                high_f = float(self.pick([1.0, 5.0, 100.0]))
                var.update(min=low_f, max=high_f, initial=self.pick([low_f, 0.0, 0.5, high_f]))
                if self.ints(0, 3) == 0:  # unbounded: values may grow to inf and NaN
                    del var["min"], var["max"]
                if params and self.maybe():
                    var["initial"] = f"clip({self.pick(params)} * 2, {low_f}, {high_f})"
            self.variables[f"v{i}"] = var
            self.globals[f"v{i}"] = BOOL if kind == "bool" else NUMBER
        for var in self.variables.values():  # visibility once the actors are known
            var["visibility"] = self.visibility(hidden=True)
        self.doc["state"] = self.variables

    def visibility(self, *, hidden: bool = False, secret: bool = False) -> Any:
        options = ["public", "public", "list"] + (["hidden"] if hidden else [])
        options += ["secret"] if secret else []
        choice = self.pick(options)
        if choice == "list":
            return self.subset(self.actors, 1)
        return choice

    def name_actors(self) -> None:
        count = self.ints(2, 4)
        self.actors = [f"a{i}" for i in range(count)]
        for i, actor in enumerate(self.actors):
            earlier = [a for a in self.actors[:i] if a not in self.sides]
            if earlier and self.ints(0, 3) == 0:
                self.sides[actor] = self.pick(earlier)
        self.principals = [a for a in self.actors if a not in self.sides]

    def terms(self) -> None:
        self.doc["terms"] = {
            f"t{i}": {"label": f"term {i}", "by": self.pick(self.actors), "effects": self.effects()}
            for i in range(self.ints(0, 3))
        }

    def channels(self) -> None:
        channels: Doc = {}
        for i in range(self.ints(1, 2)):
            kind = self.pick(["plain", "fixed", "uniform", "triangular"])
            if kind == "plain":
                latency: Any = self.duration()
            elif kind == "fixed":
                latency = {"fixed": self.duration()}
            else:
                n = 2 if kind == "uniform" else 3
                minutes = sorted(self.draw(st.lists(st.integers(0, 600), min_size=n, max_size=n)))
                latency = {kind: [f"{m}m" for m in minutes]}
            channels[f"ch{i}"] = {
                "users": self.subset(self.actors, 2),
                "latency": latency,
                "misread": self.x.probability(self.globals),
                "public": self.maybe(),
            }
        self.doc["channels"] = channels

    def actions(self) -> None:
        actions: Doc = {}
        channels: Doc = self.doc["channels"]
        terms = sorted(self.doc["terms"])
        for actor in self.actors:
            for _ in range(self.ints(1, 3)):
                act: Doc = {
                    "actor": actor,
                    "label": f"Action {len(actions)}",
                    "effects": self.effects(),
                    "delay": self.duration(),
                    "visibility": self.visibility(secret=True),
                    "escalation": self.ints(-10, 10),
                }
                if self.maybe():
                    act["when"] = self.x.small(self.globals, BOOL)
                if self.maybe():
                    act["once"] = self.maybe()
                if self.maybe():
                    holders = self.subset(self.actors, 1, 2)
                    act["cost"] = {h: self.x.small(self.globals) for h in holders}
                usable = [c for c, ch in channels.items() if actor in ch["users"]]
                if usable and self.ints(0, 2) > 0:
                    act["message"] = self.message(actor, self.pick(usable), terms)
                actions[f"act{len(actions)}"] = act
        self.answers(actions)
        self.doc["actions"] = actions

    def message(self, actor: str, channel: str, terms: list[str]) -> Doc:
        kinds = ["demand", "statement"] + (["offer", "offer"] if terms else [])
        kind = self.pick(kinds)
        msg: Doc = {"channel": channel, "to": self.pick([a for a in self.actors if a != actor])}
        msg["kind"] = kind
        if kind == "offer":
            give = self.subset(terms, 0, 2)
            get = self.subset(terms, 0 if give else 1, 2)
            msg.update(give=give, get=get)
        elif kind == "demand":
            msg["get"] = self.subset(terms, 0, 2)
        else:
            msg["give"] = self.subset(terms, 0, 2)
        if self.maybe():
            misread: Doc = {"text": "read otherwise"}
            if self.maybe():
                misread["kind"] = self.pick(["offer", "demand", "statement"])
            msg["misread_as"] = misread
        msg["on_deliver"] = self.effects()
        if self.maybe():
            msg["on_misread"] = self.effects()
        return msg

    def answers(self, actions: Doc) -> None:
        """Accepts and rejects of the offers and demands, by their recipients."""
        channels: Doc = self.doc["channels"]
        asks = [
            (a, act)
            for a, act in actions.items()
            if act.get("message", {}).get("kind") in ("offer", "demand")
        ]
        for ask_id, ask in asks:
            answerer = ask["message"]["to"]
            usable = [c for c, ch in channels.items() if answerer in ch["users"]]
            if not usable:
                continue
            for kind in self.subset(["accept", "reject"]):
                msg: Doc = {
                    "channel": self.pick(usable),
                    "to": self.pick([a for a in self.actors if a != answerer]),
                    "kind": kind,
                    "of": ask_id,
                    "on_deliver": self.effects(),
                }
                answer: Doc = {"actor": answerer, "label": f"{kind} {ask_id}", "message": msg}
                answer["escalation"] = self.ints(-10, 10)
                if self.maybe():
                    answer["when"] = self.x.small(self.globals, BOOL)
                actions[f"act{len(actions)}"] = answer

    def events(self) -> None:
        events: Doc = {}
        for i in range(self.ints(0, 4)):
            ev: Doc = {"text": f"Event {i}", "effects": self.effects()}
            kind = self.pick(["at", "hazard", "at+hazard", "when"])
            if "at" in kind:
                ev["at"] = self.time()[1]
            if "hazard" in kind:
                ev["hazard"] = self.x.probability(self.globals)
            if kind == "when" or self.maybe():
                ev["when"] = self.x.small(self.globals, BOOL)
            if self.maybe():
                ev["once"] = self.maybe()
            if self.maybe():
                ev["actor"] = self.pick(self.actors)
            ev["visibility"] = self.visibility(hidden=True)
            events[f"ev{i}"] = ev
        self.doc["events"] = events

    def observable(self, actor: str) -> list[str]:
        """Events and actions that can trigger ``actor``'s decisions."""
        out = []
        for eid, ev in self.doc["events"].items():
            vis = ev["visibility"]
            if vis == "public" or (isinstance(vis, list) and actor in vis):
                out.append(eid)
        for aid, act in self.doc["actions"].items():
            vis = act.get("visibility", "public")
            seen = (
                vis == "public" or act["actor"] == actor or (isinstance(vis, list) and actor in vis)
            )
            if seen or act.get("message", {}).get("to") == actor:
                out.append(aid)
        return out

    def decisions(self) -> None:
        decisions: Doc = {}
        for actor in self.actors:
            for _ in range(self.ints(1, 2)):
                point: Doc = {"actor": actor}
                kinds = self.subset(["every", "at", "react_to"], 1)
                triggers = self.observable(actor)
                if "react_to" in kinds and triggers:
                    point["react_to"] = self.subset(triggers, 1, 3)
                if "at" in kinds or not (point.get("react_to") or "every" in kinds):
                    point["at"] = sorted({self.time()[1] for _ in range(self.ints(1, 3))})
                if "every" in kinds:
                    point["every"] = self.pick(["1h", "2h", "3h", "6h"])
                    if self.maybe():
                        point["start"] = self.time()[1]
                if self.maybe():
                    point["when"] = self.x.small(self.visible(actor), BOOL)
                decisions[f"d{len(decisions)}"] = point
            inbox = [
                a
                for a, act in self.doc["actions"].items()
                if act.get("message", {}).get("to") == actor
            ]
            if inbox and self.ints(0, 2) > 0:  # read and answer letters as they arrive
                decisions[f"d{len(decisions)}"] = {"actor": actor, "react_to": inbox}
        self.doc["decisions"] = decisions

    def own_actions(self, actor: str) -> list[str]:
        return [a for a, act in self.doc["actions"].items() if act["actor"] == actor]

    def rules(self, actor: str, low: int = 0, high: int = 3) -> list[Doc]:
        names = self.visible(actor)
        out = []
        for _ in range(self.ints(low, high)):
            rule: Doc = {"do": self.pick([*self.own_actions(actor), "wait"]), "why": "because"}
            if self.maybe():
                rule["when"] = self.x.small(names, BOOL)
            if self.maybe():
                rule["p"] = self.x.probability(names)
            out.append(rule)
        return out

    def actor(self, actor: str) -> Doc:
        own = self.own_actions(actor)
        doc: Doc = {"name": f"Actor {actor}"}
        if actor in self.sides:
            doc["side"] = self.sides[actor]
        if self.ints(0, 2) == 0:
            members = [f"m{i}" for i in range(self.ints(2, 3))]
            doc["members"] = {
                m: {
                    "name": f"Member {m}",
                    "weight": self.x.weight(self.globals),
                    "stance": self.rules(actor),
                }
                for m in members
            }
            kind = self.pick(["leader", "consent", "vote"])
            if kind == "leader":
                doc["rule"] = {"kind": kind, "leader": self.pick(members)}
            elif kind == "consent":
                doc["rule"] = {
                    "kind": kind,
                    "k": self.ints(1, len(members)),
                    "proposer": self.pick(members),
                    "requires": self.subset(own),
                    "fallback": self.pick([*own, "wait"]),
                }
            else:
                doc["rule"] = {"kind": kind}
        policies: Doc = {}
        for i in range(self.ints(0, 2)):
            script = []
            for _ in range(self.ints(0, 3)):
                k, at = self.time()
                step: Doc = {"at": at, "do": self.pick(own), "why": "planned"}
                if self.maybe():
                    step["until"] = self.time(k)[1]
                if self.maybe():
                    step["when"] = self.x.small(self.visible(actor), BOOL)
                script.append(step)
            answers = [a for a in own if "of" in self.doc["actions"][a].get("message", {})]
            eager = [{"do": a, "why": "answer"} for a in self.subset(answers)]
            policies[f"pol{i}"] = {"script": script, "rules": eager + self.rules(actor)}
        doc["policies"] = policies
        if policies and self.maybe():
            doc["default_policy"] = self.pick(sorted(policies))
        if self.ints(0, 2) == 0:
            doc["repertoire"] = {
                "routines": self.rules(actor, 1),
                "inertia": self.pick([0.0, 0.3, 0.5, 1.0]),
                "slippage": self.pick([0.0, 0.2, 1.0]),
                "substitutes": {a: self.pick(own) for a in self.subset(own, 0, 1)},
            }
        return doc

    def outcomes(self) -> None:
        classes = ["settlement", "capitulation", "fait_accompli", "conventional_war"]
        classes += ["tactical_nuclear_use", "general_nuclear_war"]
        outcomes: list[tuple[str, Doc]] = []
        for i in range(self.ints(0, 3)):
            outcome: Doc = {
                "class": self.pick(classes),
                "when": self.x.small(self.globals, BOOL),
                "utility": self.utilities(),
            }
            if self.maybe():  # decided, but the run goes on while this holds
                outcome["pending"] = self.x.small(self.globals, BOOL)
            outcomes.append((f"o{i}", outcome))
        default = (
            "o-default",
            {"class": "unresolved", "default": True, "utility": self.utilities()},
        )
        outcomes.insert(self.ints(0, len(outcomes)), default)
        self.doc["outcomes"] = dict(outcomes)

    def utilities(self) -> Doc:
        return {a: self.x.small(self.globals) for a in self.principals}

    def document(self) -> Doc:
        self.header()
        self.name_actors()
        self.parameters()
        self.state()
        self.terms()
        self.channels()
        self.actions()
        self.events()
        self.doc["actors"] = {a: self.actor(a) for a in self.actors}
        self.decisions()
        self.outcomes()
        if self.maybe():
            self.doc["metrics"] = {"escalation": self.x.number(self.globals, 2)}
        self.attendance()
        self.drawn_delays()
        self.mechanisms()
        self.action_channels()
        return self.doc

    def attendance(self) -> None:
        """Members other than the chair may attend only when a condition holds (drawn last,
        so that the documents drawn before ``attends`` existed are drawn as they were)."""
        for actor, doc in self.doc["actors"].items():
            if "rule" not in doc:
                continue
            chair = doc["rule"].get("leader") or doc["rule"].get("proposer")
            for m, member in doc["members"].items():
                if m != chair and self.maybe():
                    member["attends"] = self.x.small(self.visible(actor), BOOL)

    def action_channels(self) -> None:
        """Bodies hold some of their actions to decisions where a condition holds (drawn
        last, so that the documents drawn before action channels existed are drawn as they
        were)."""
        for actor, doc in self.doc["actors"].items():
            own = self.own_actions(actor)
            if "rule" not in doc or not own or not self.maybe():
                continue
            held = self.subset(own, 1)
            cut = self.ints(1, len(held))
            doc["action_channels"] = [
                {"actions": part, "when": self.x.small(self.visible(actor), BOOL)}
                for part in (held[:cut], held[cut:])
                if part
            ]

    def drawn_delays(self) -> None:
        """Some actions' delays drawn when taken, uniform or triangular (drawn last, so that
        the documents drawn before drawn delays existed are drawn as they were)."""
        for act in self.doc["actions"].values():
            if self.ints(0, 2) == 0:
                kind = self.pick(["uniform", "triangular"])
                n = 2 if kind == "uniform" else 3
                minutes = sorted(self.draw(st.lists(st.integers(0, 600), min_size=n, max_size=n)))
                act["delay"] = {kind: [f"{m}m" for m in minutes]}

    def mechanisms(self) -> None:
        """Mechanisms that attribute outcomes (drawn last, so that the documents drawn before
        they existed are drawn as they were)."""
        if not self.maybe():
            return
        classes = sorted({o["class"] for o in self.doc["outcomes"].values()})
        happenings = [*self.doc["events"], *self.doc["actions"]]
        mechanisms: list[tuple[str, Doc]] = []
        for i in range(self.ints(0, 3)):
            mechanism: Doc = {"label": f"Mechanism {i}"}
            if self.maybe():
                mechanism["classes"] = self.subset(classes, 1)
            if self.maybe():
                mechanism["outcomes"] = self.subset(list(self.doc["outcomes"]), 1)
            if happenings and self.maybe():
                mechanism["after"] = self.subset(happenings, 1)
            if self.maybe():
                mechanism["when"] = self.x.small(self.globals, BOOL)
            mechanisms.append((f"m{i}", mechanism))
        mechanisms.insert(self.ints(0, len(mechanisms)), ("m-other", {"default": True}))
        self.doc["mechanisms"] = dict(mechanisms)


@st.composite
def scenario_documents(draw: st.DrawFn) -> Doc:
    """A random, valid scenario document (plain data, as a YAML file would hold)."""
    return _Builder(draw).document()


def load_document(doc: Doc, file: str = "generated.yaml") -> CompiledScenario:
    """Dump ``doc`` to YAML and load and compile it as ``brink`` loads a scenario file."""
    return build(load_yaml(yaml.safe_dump(doc, sort_keys=False), file))
