"""Tests for the located YAML loader and the pydantic → ScenarioError conversion."""

from __future__ import annotations

import enum
import time
from pathlib import Path
from typing import Any, Literal

import pydantic
import pytest
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from brinkmanship.errors import Location, ScenarioError
from brinkmanship.scenario import yamlsource
from brinkmanship.scenario.yamlsource import (
    Path_,
    SourceDoc,
    allowed_keys_from_model,
    dotted,
    load_yaml,
    load_yaml_file,
    validation_error_to_scenario_error,
)

F = "s.yaml"

DOC = """\
name: Standoff
turns: 12
actions:
  quarantine:
    label: Naval quarantine
    effects:
      defcon: -1
  strike: {label: Air strike, cost: 2.5}
decisions:
  - at: 3
  -   at: 5
      note: late
"""


def loc(line: int, column: int) -> Location:
    return Location(F, line, column)


def load_error(text: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_yaml(text, F)
    return info.value


# --------------------------------------------------------------------------- locations


def test_data_is_plain_python() -> None:
    doc = load_yaml(DOC, F)
    assert doc.file == F
    assert doc.data == {
        "name": "Standoff",
        "turns": 12,
        "actions": {
            "quarantine": {"label": "Naval quarantine", "effects": {"defcon": -1}},
            "strike": {"label": "Air strike", "cost": 2.5},
        },
        "decisions": [{"at": 3}, {"at": 5, "note": "late"}],
    }


def test_locations_of_nested_keys_and_values() -> None:
    doc = load_yaml(DOC, F)
    assert doc.locations[()] == loc(1, 1)
    assert doc.locations[("turns",)] == loc(2, 8)
    assert doc.key_locations[("turns",)] == loc(2, 1)
    assert doc.key_locations[("actions", "quarantine")] == loc(4, 3)
    assert doc.locations[("actions", "quarantine")] == loc(5, 5)  # the mapping starts at 'label'
    assert doc.key_locations[("actions", "quarantine", "effects", "defcon")] == loc(7, 7)
    assert doc.locations[("actions", "quarantine", "effects", "defcon")] == loc(7, 15)
    assert doc.locations[("actions", "strike")] == loc(8, 11)
    assert doc.key_locations[("actions", "strike", "cost")] == loc(8, 31)
    assert doc.locations[("actions", "strike", "cost")] == loc(8, 37)


def test_locations_of_list_items() -> None:
    doc = load_yaml(DOC, F)
    assert doc.locations[("decisions",)] == loc(10, 3)
    assert doc.locations[("decisions", 0)] == loc(10, 5)
    assert doc.locations[("decisions", 0, "at")] == loc(10, 9)
    assert doc.locations[("decisions", 1)] == loc(11, 7)
    assert doc.key_locations[("decisions", 1, "note")] == loc(12, 7)
    assert ("decisions", 1) not in doc.key_locations


def test_locate_falls_back_to_the_deepest_existing_prefix() -> None:
    doc = load_yaml(DOC, F)
    assert doc.locate(("actions", "quarantine", "effects", "nothing", 3)) == loc(7, 7)
    assert doc.locate(["actions", "quarantine", "effects", "defcon"]) == loc(7, 15)
    assert doc.locate(("decisions", 7, "at")) == loc(10, 3)
    assert doc.locate(("nope",)) == loc(1, 1)
    assert doc.locate(()) == loc(1, 1)


def test_locate_key_prefers_the_key_and_falls_back_to_locate() -> None:
    doc = load_yaml(DOC, F)
    assert doc.locate_key(("actions", "strike")) == loc(8, 3)
    assert doc.locate_key(("decisions", 1)) == loc(11, 7)
    assert doc.locate_key(("actions", "strike", "missing")) == loc(8, 11)


def test_locate_never_raises_on_an_empty_doc() -> None:
    doc = SourceDoc("x.yaml", {}, {}, {})
    assert doc.locate(("a", 1)) == Location("x.yaml", 1, 1)
    assert doc.locate_key(("a",)) == Location("x.yaml", 1, 1)


def test_resolve_skips_segments_not_in_the_document() -> None:
    doc = load_yaml(DOC, F)
    path = ("actions", "quarantine", "function-after[check()]", "effects", "defcon")
    assert doc.resolve(path) == ("actions", "quarantine", "effects", "defcon")
    assert doc.resolve(("decisions", 1, "at", "int")) == ("decisions", 1, "at")
    assert doc.resolve(("decisions", 9)) == ("decisions",)


# --------------------------------------------------------------------------- scalars


def test_timestamps_and_clock_times_stay_strings() -> None:
    doc = load_yaml(
        "date: 1962-10-22\n"
        "stamp: 1962-10-22T19:00:00-05:00\n"
        "spaced: 1962-10-22 19:00:00\n"
        "clock: 13:45\n"
        "keyed:\n  1962-10-27: Black Saturday\n",
        F,
    )
    assert doc.data == {
        "date": "1962-10-22",
        "stamp": "1962-10-22T19:00:00-05:00",
        "spaced": "1962-10-22 19:00:00",
        "clock": "13:45",
        "keyed": {"1962-10-27": "Black Saturday"},
    }


def test_scalar_types() -> None:
    doc = load_yaml(
        "i: 42\nf: 0.5\nneg: -3\nt: true\nflag: yes\nn: null\nempty:\ns: '42'\nq: \"yes\"\n", F
    )
    assert doc.data == {
        "i": 42,
        "f": 0.5,
        "neg": -3,
        "t": True,
        "flag": True,
        "n": None,
        "empty": None,
        "s": "42",
        "q": "yes",
    }
    assert type(doc.data["i"]) is int
    assert doc.locations[("empty",)].line == 7


def test_byte_order_mark_is_ignored() -> None:
    doc = load_yaml("\ufeffa: 1\n", F)
    assert doc.data == {"a": 1}
    assert doc.key_locations[("a",)] == loc(1, 1)


def test_unsupported_tags_are_rejected() -> None:
    assert load_error("a: !!binary aGVsbG8=\n").location == loc(1, 4)
    err = load_error("a: !custom x\n")
    assert "unsupported YAML tag '!custom'" in str(err)


# --------------------------------------------------------------------------- anchors & merges


def test_aliases_repeat_the_anchored_value() -> None:
    doc = load_yaml("base: &b {x: 1}\none: *b\ntwo: *b\n", F)
    assert doc.data == {"base": {"x": 1}, "one": {"x": 1}, "two": {"x": 1}}
    assert doc.data["one"] is not doc.data["two"]
    assert doc.locations[("two", "x")] == loc(1, 14)  # the anchored node
    assert doc.key_locations[("two",)] == loc(3, 1)


def test_merge_keys_are_supported_and_explicit_keys_win() -> None:
    text = "a: &a {x: 1, y: 2}\nb: &b {y: 20, z: 30}\nm:\n  <<: [*a, *b]\n  x: 10\n"
    doc = load_yaml(text, F)
    assert doc.data["m"] == {"x": 10, "y": 2, "z": 30}
    assert doc.key_locations[("m", "x")] == loc(5, 3)
    assert doc.key_locations[("m", "y")] == loc(1, 14)


def test_bad_merge_and_recursive_alias_are_rejected() -> None:
    assert "merge key" in str(load_error("a:\n  <<: 1\n"))
    assert "contains it" in str(load_error("a: &x [1, *x]\n"))


def test_alias_bomb_is_rejected() -> None:
    lines = ["a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    for i in range(1, 7):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    err = load_error("\n".join(lines) + "\n")
    assert "aliases are expanded" in str(err)


# --------------------------------------------------------------------------- structural errors


def test_duplicate_top_level_key() -> None:
    err = load_error("name: a\nturns: 3\nname: b\n")
    assert err.detail == "duplicate key 'name' (first defined at line 1); ids must be unique"
    assert err.location == loc(3, 1)
    assert str(err).startswith("s.yaml:3:1: duplicate key 'name'")


def test_duplicate_nested_key() -> None:
    err = load_error("actions:\n  quarantine: {}\n  strike: {}\n  quarantine:\n    x: 1\n")
    assert err.detail == "duplicate key 'quarantine' (first defined at line 2); ids must be unique"
    assert err.location == loc(4, 3)


def test_duplicate_key_in_flow_mapping_inside_list() -> None:
    err = load_error("xs:\n  - {a: 1, b: 2, a: 3}\n")
    assert err.location == loc(2, 18)


def test_unquoted_yes_key() -> None:
    err = load_error("sides:\n  yes: 1\n")
    assert err.location == loc(2, 3)
    assert "key 'yes' is not a string" in err.detail
    assert "boolean True" in err.detail
    assert "quote it" in err.detail


@pytest.mark.parametrize(
    ("text", "shown"),
    [("on: 1\n", "'on'"), ("3: x\n", "'3'"), ("~: x\n", "'~'"), ("1.5: x\n", "'1.5'")],
)
def test_non_string_keys_must_be_quoted(text: str, shown: str) -> None:
    err = load_error(text)
    assert err.detail.startswith(f"key {shown} is not a string")
    assert err.location == loc(1, 1)


def test_complex_key_is_rejected() -> None:
    err = load_error("? [a, b]\n: 1\n")
    assert "must be a plain string" in err.detail


def test_tab_indentation_is_a_located_syntax_error() -> None:
    err = load_error("actions:\n\tquarantine: {}\n")
    assert err.location == loc(2, 1)
    assert err.detail.startswith(
        "could not parse YAML: found character '\\t' that cannot start any token"
    )
    assert "\n" not in str(err)


def test_bad_indentation_is_a_located_syntax_error() -> None:
    err = load_error("name: x\nturns: 3\n  extra: 1\n")
    assert err.location == loc(3, 3)
    assert err.detail == (
        "could not parse YAML: mapping values are not allowed here; "
        "check the indentation of this key against its neighbours"
    )


def test_unclosed_flow_sequence_names_where_it_started() -> None:
    err = load_error("xs: [1, 2\n")
    assert err.location is not None
    assert "could not parse YAML" in err.detail
    assert "line 1, column 5" in err.detail


def test_control_character_is_located() -> None:
    err = load_error("a: 1\nb: x\x07y\n")
    assert err.location == loc(2, 5)
    assert "unacceptable character #x07" in err.detail


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n", "~\n"])
def test_empty_file(text: str) -> None:
    err = load_error(text)
    assert err.detail.startswith("the file is empty; a scenario is a YAML mapping")
    assert err.location is not None


@pytest.mark.parametrize(
    ("text", "where", "what"),
    [("- a\n- b\n", loc(1, 1), "not a list"), ("\n  hello\n", loc(2, 3), "not the value 'hello'")],
)
def test_top_level_must_be_a_mapping(text: str, where: Location, what: str) -> None:
    err = load_error(text)
    assert err.location == where
    assert f"the top level must be a mapping, {what}" in err.detail


def test_several_documents_are_rejected() -> None:
    err = load_error("a: 1\n---\nb: 2\n")
    assert "more than one YAML document" in err.detail
    assert err.location == loc(2, 1)


def test_deep_nesting_is_rejected() -> None:
    err = load_error("a: " + "[" * 65 + "]" * 65 + "\n")
    assert "nested more than 64 levels" in err.detail
    assert err.location == loc(1, 3 + 64)
    load_yaml("a: " + "[" * 63 + "]" * 63 + "\n", F)  # 64 levels with the top mapping: fine


def test_very_deep_nesting_does_not_overflow() -> None:
    err = load_error("a: " + "[" * 20000 + "]" * 20000 + "\n")
    assert "nested more than 64 levels" in err.detail


def test_nesting_through_aliases_is_limited_too() -> None:
    inner = "[" * 40 + "]" * 40
    outer = "[" * 40 + "*x" + "]" * 40
    err = load_error(f"x: &x {inner}\ny: {outer}\n")
    assert "nested more than 64 levels" in err.detail


def test_huge_text_is_rejected() -> None:
    text = "a: 1\n" + "#" * (5 * 1024 * 1024) + "\n"
    err = load_error(text)
    assert "larger than 5 MB" in str(err)


# --------------------------------------------------------------------------- files


def test_load_yaml_file(tmp_path: Path) -> None:
    path = tmp_path / "standoff.yaml"
    path.write_text("a:\n  b: ok\n", encoding="utf-8")
    doc = load_yaml_file(path)
    assert doc.file == str(path)
    assert doc.data == {"a": {"b": "ok"}}
    assert doc.locations[("a", "b")] == Location(str(path), 2, 6)


def test_load_yaml_file_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("a: 1\na: 2\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_yaml_file(str(path))
    assert str(info.value).startswith(f"{path}:2:1: duplicate key 'a'")


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(ScenarioError) as info:
        load_yaml_file(path)
    assert info.value.location is None
    assert str(info.value) == f"{path}: no such file"


def test_directory_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        load_yaml_file(tmp_path)
    assert "is a directory" in str(info.value)
    assert str(tmp_path) in str(info.value)


def test_huge_file_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as out:
        out.write(b"a: 1\n")
        out.write(b"#" * (5 * 1024 * 1024))
    with pytest.raises(ScenarioError) as info:
        load_yaml_file(path)
    assert str(info.value) == f"{path}: the file is larger than 5 MB"


def test_invalid_utf8_is_located(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("a: 1\nname: Kr\u00e9mlin\n".encode("latin-1"))
    with pytest.raises(ScenarioError) as info:
        load_yaml_file(path)
    assert info.value.location == Location(str(path), 2, 9)
    assert "not valid UTF-8 (byte 0xe9)" in info.value.detail


def test_limit_is_configurable_for_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlsource, "MAX_NODES", 5)
    assert "more than 5 values" in load_error("a: [1, 2, 3, 4, 5]\n").detail


@pytest.mark.parametrize("libyaml", [True, False], ids=["libyaml", "pure-python"])
def test_values_are_counted_while_parsing(libyaml: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """The value that passes the limit is named, before the rest of the file is parsed."""
    if not libyaml:
        monkeypatch.setattr(yamlsource, "_FAST_LOADER", None)
    monkeypatch.setattr(yamlsource, "MAX_NODES", 1000)
    text = "a: [" + "1, " * 5000 + "1]\n"
    err = load_error(text)
    assert err.detail == "the document holds more than 1000 values"
    # the top mapping, the key 'a' and the list count too: item 997 is the 1001st value
    assert err.location == loc(1, 5 + 997 * 3)


def test_same_document_from_either_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    fast = load_yaml(DOC, F)
    monkeypatch.setattr(yamlsource, "_FAST_LOADER", None)
    slow = load_yaml(DOC, F)
    assert fast == slow


def test_merge_keys_are_expanded_once_per_mapping() -> None:
    """Ten merges at each of seven levels: 10^7 expansions unless each mapping is merged once."""
    lines = ["a0: &a0 {x: 1}"]
    for level in range(1, 8):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} {{<<: [{refs}], y{level}: 1}}")
    started = time.perf_counter()
    data = load_yaml("\n".join(lines) + "\n", F).data
    assert time.perf_counter() - started < 5.0
    assert data["a7"] == {"x": 1, **{f"y{level}": 1 for level in range(1, 8)}}


def test_merge_key_expansion_is_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlsource, "MAX_NODES", 60)  # 59 values written (keys count)
    keys = ", ".join(f"k{i}: {i}" for i in range(25))
    err = load_error(f"a: &a {{{keys}}}\nb: {{<<: [*a, *a]}}\n")
    assert "merge keys and aliases are expanded" in err.detail


# --------------------------------------------------------------------------- pydantic errors


class Side(enum.Enum):
    US = "us"
    USSR = "ussr"


class Effects(BaseModel):
    model_config = ConfigDict(extra="forbid")
    defcon: int = Field(default=0, ge=-4, le=4)
    tension: float = 0.0


class Action(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str
    cost: float = 0.0
    kind: Literal["military", "diplomatic"] = "diplomatic"
    effects: Effects = Field(default_factory=Effects)

    @field_validator("label")
    @classmethod
    def _label_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("label must not be blank")
        return value


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    at: int = Field(ge=1)
    side: Side = Side.US
    code: str = Field(default="x", max_length=3)


class Scenario(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    turns: int = Field(ge=1, le=100)
    hidden: bool = False
    actions: dict[str, Action] = Field(default_factory=dict)
    decisions: list[Decision] = Field(default_factory=list)
    limit: int | list[int] = 0
    max_turns: int = Field(default=10, alias="max-turns")

    @model_validator(mode="after")
    def _fits(self) -> Scenario:
        if self.turns > self.max_turns:  # pytest rewrites `assert` in this module
            raise AssertionError("turns must not exceed max-turns")
        return self


VALID = "name: Standoff\nturns: 3\n"


def convert(
    text: str,
    model: type[BaseModel] = Scenario,
    allowed: bool = True,
) -> ScenarioError:
    doc = load_yaml(text, F)
    with pytest.raises(pydantic.ValidationError) as info:
        model.model_validate(doc.data)
    keys = allowed_keys_from_model(model) if allowed else None
    return validation_error_to_scenario_error(info.value, doc, allowed_keys=keys)


def test_valid_document_validates() -> None:
    doc = load_yaml(VALID + "max-turns: 5\nactions:\n  q: {label: Q}\n", F)
    scenario = Scenario.model_validate(doc.data)
    assert scenario.max_turns == 5
    assert scenario.actions["q"].label == "Q"


def test_unknown_key_points_at_the_key_and_lists_allowed_keys() -> None:
    err = convert(VALID + "actions:\n  q:\n    label: Q\n    colour: red\n")
    assert err.detail == (
        "unknown key 'colour' in actions.q; allowed keys: cost, effects, kind, label"
    )
    assert err.location == loc(6, 5)


def test_unknown_top_level_key() -> None:
    err = convert(VALID + "turn: 3\n")
    assert err.detail == (
        "unknown key 'turn' at top level; allowed keys: "
        "actions, decisions, hidden, limit, max-turns, name, turns"
    )
    assert err.location == loc(3, 1)


def test_unknown_key_in_a_list_item_with_a_custom_allowed_keys() -> None:
    seen: list[Path_] = []

    def allowed(path: Path_) -> list[str]:
        seen.append(path)
        return ["side", "at", "code"]

    doc = load_yaml(VALID + "decisions:\n  - at: 2\n  - at: 3\n    whom: x\n", F)
    with pytest.raises(pydantic.ValidationError) as info:
        Scenario.model_validate(doc.data)
    err = validation_error_to_scenario_error(info.value, doc, allowed_keys=allowed)
    assert err.detail == "unknown key 'whom' in decisions[1]; allowed keys: at, code, side"
    assert err.location == loc(6, 5)
    assert seen == [("decisions", 1)]


def test_unknown_key_without_allowed_keys_omits_the_list() -> None:
    err = convert(VALID + "colour: red\n", allowed=False)
    assert err.detail == "unknown key 'colour' at top level"


def test_missing_key_points_at_the_parent_mapping() -> None:
    err = convert(VALID + "actions:\n  q:\n    cost: 1\n")
    assert err.detail == "missing required key 'label' in actions.q"
    assert err.location == loc(5, 5)


def test_missing_top_level_key() -> None:
    err = convert("name: x\n")
    assert err.detail == "missing required key 'turns' at top level"
    assert err.location == loc(1, 1)


@pytest.mark.parametrize(
    ("extra", "message", "where"),
    [
        ("hidden: maybe\n", "hidden: expected true or false, got 'maybe'", loc(3, 9)),
        ("actions: [a, b]\n", "actions: expected a mapping, got ['a', 'b']", loc(3, 10)),
        ("decisions: {at: 1}\n", "decisions: expected a list, got {'at': 1}", loc(3, 12)),
        (
            "actions:\n  q: {label: Q, cost: lots}\n",
            "actions.q.cost: expected a number, got 'lots'",
            loc(4, 23),
        ),
        ("actions:\n  q: {label: 7}\n", "actions.q.label: expected a string, got 7", loc(4, 14)),
        ("decisions:\n  - at: soon\n", "decisions[0].at: expected an integer, got 'soon'", None),
        ("decisions:\n  - 3\n", "decisions[0]: expected a mapping, got 3", loc(4, 5)),
    ],
)
def test_type_errors(extra: str, message: str, where: Location | None) -> None:
    err = convert(VALID + extra)
    assert err.detail == message
    if where is not None:
        assert err.location == where


def test_type_error_input_is_truncated() -> None:
    err = convert("name: [" + ", ".join(["abcdefgh"] * 20) + "]\nturns: 3\n")
    assert err.detail.startswith("name: expected a string, got ['abcdefgh', ")
    shown = err.detail.split("got ", 1)[1]
    assert len(shown) == 60
    assert shown.endswith("...")


def test_union_type_error_names_every_member() -> None:
    err = convert(VALID + "limit: lots\n")
    assert err.detail == "limit: expected an integer or a list, got 'lots'"
    assert err.location == loc(3, 8)


def test_range_errors() -> None:
    err = convert("name: x\nturns: 0\n")
    assert err.detail == "turns: value 0 out of range (must be >= 1)"
    assert err.location == loc(2, 8)
    err = convert(VALID + "actions:\n  q:\n    label: Q\n    effects:\n      defcon: 9\n")
    assert err.detail == "actions.q.effects.defcon: value 9 out of range (must be <= 4)"
    assert err.location == loc(7, 15)


def test_value_error_from_our_validator() -> None:
    err = convert(VALID + "actions:\n  q: {label: '  '}\n")
    assert err.detail == "actions.q.label: label must not be blank"
    assert err.location == loc(4, 14)


def test_assertion_error_from_our_validator() -> None:
    err = convert("name: x\nturns: 20\n")
    assert err.detail == "top level: turns must not exceed max-turns"
    assert err.location == loc(1, 1)


def test_literal_error() -> None:
    err = convert(VALID + "actions:\n  q: {label: Q, kind: naval}\n")
    assert err.detail == "actions.q.kind: 'naval' is not one of military, diplomatic"
    assert err.location == loc(4, 23)


def test_enum_error() -> None:
    err = convert(VALID + "decisions:\n  - {at: 1, side: uk}\n")
    assert err.detail == "decisions[0].side: 'uk' is not one of us, ussr"
    assert err.location == loc(4, 19)


def test_other_errors_use_pydantic_message() -> None:
    err = convert(VALID + "decisions:\n  - {at: 1, code: abcdef}\n")
    assert err.detail == "decisions[0].code: String should have at most 3 characters"
    assert err.location == loc(4, 19)


def test_prefix_locates_errors_in_a_sub_document() -> None:
    doc = load_yaml(DOC, F)
    with pytest.raises(pydantic.ValidationError) as info:
        Effects.model_validate({"defcon": "high"})
    prefix: Path_ = ("actions", "quarantine", "effects")
    err = validation_error_to_scenario_error(info.value, doc, prefix)
    assert err.detail == "actions.quarantine.effects.defcon: expected an integer, got 'high'"
    assert err.location == loc(7, 15)


def test_prefix_with_allowed_keys_from_model() -> None:
    doc = load_yaml("actions:\n  q: {label: Q, effect: {}}\n", F)
    with pytest.raises(pydantic.ValidationError) as info:
        Action.model_validate(doc.data["actions"]["q"])
    prefix: Path_ = ("actions", "q")
    keys = allowed_keys_from_model(Action, prefix)
    err = validation_error_to_scenario_error(info.value, doc, prefix, keys)
    assert (
        err.detail == "unknown key 'effect' in actions.q; allowed keys: cost, effects, kind, label"
    )
    assert err.location == loc(2, 17)


def test_union_member_segments_are_stripped_from_locations() -> None:
    class Inner(BaseModel):
        model_config = ConfigDict(extra="forbid")
        n: int

    class Outer(BaseModel):
        model_config = ConfigDict(extra="forbid")
        item: Inner | list[Inner]

    doc = load_yaml("item:\n  n: many\n", F)
    with pytest.raises(pydantic.ValidationError) as info:
        Outer.model_validate(doc.data)
    locs = [e["loc"] for e in info.value.errors()]
    assert ("item", "Inner", "n") in locs
    err = validation_error_to_scenario_error(info.value, doc)
    assert err.detail == "item.n: expected an integer, got 'many'"
    assert err.location == loc(2, 6)


def test_allowed_keys_from_model_walks_nested_types() -> None:
    allowed = allowed_keys_from_model(Scenario)
    assert allowed(("actions", "q", "effects")) == ["defcon", "tension"]
    assert allowed(("decisions", 0)) == ["at", "code", "side"]
    assert allowed(("name",)) == []
    assert allowed(("nope", "deeper")) == []


def test_dotted() -> None:
    assert dotted(("actions", "quarantine", "effects")) == "actions.quarantine.effects"
    assert dotted(("decisions", 2, "at")) == "decisions[2].at"
    assert dotted((0, "a")) == "[0].a"
    assert dotted(()) == "top level"


def test_error_message_is_one_line() -> None:
    errors: list[Any] = [
        convert(VALID + "decisions:\n  - at: soon\n"),
        load_error("a: [\n"),
    ]
    for err in errors:
        assert "\n" not in str(err)
