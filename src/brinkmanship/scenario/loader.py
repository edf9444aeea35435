"""Find, read, patch (interventions) and compile scenarios."""

from __future__ import annotations

import copy
import dataclasses
import types
import typing
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import pydantic

from brinkmanship.errors import BrinkError, ScenarioError, UnknownNameError
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.compiler import compile_scenario
from brinkmanship.scenario.schema import Scenario
from brinkmanship.scenario.yamlsource import (
    Path_,
    SourceDoc,
    load_yaml,
    load_yaml_file,
    validation_error_to_scenario_error,
)

BUILTIN_PACKAGE = "brinkmanship.scenarios"
UNPATCHABLE = ("id", "interventions")


def builtin_names() -> list[str]:
    """Ids of the scenarios shipped with the package."""
    root = resources.files(BUILTIN_PACKAGE)
    return sorted(p.name[: -len(".yaml")] for p in root.iterdir() if p.name.endswith(".yaml"))


def read_source(ref: str) -> SourceDoc:
    """Read a scenario given as a built-in name or a file path."""
    if ref in builtin_names():
        text = resources.files(BUILTIN_PACKAGE).joinpath(f"{ref}.yaml").read_text(encoding="utf-8")
        return load_yaml(text, f"<builtin>/{ref}.yaml")
    path = Path(ref)
    if path.suffix in (".yaml", ".yml") or path.exists() or "/" in ref:
        return load_yaml_file(path)
    raise UnknownNameError("scenario", ref, builtin_names())


def _allowed_keys(path: Path_) -> list[str]:
    """The keys allowed at ``path`` by the schema (best effort, for error messages)."""
    current: Any = Scenario
    for part in path:
        current = _step(current, part)
        if current is None:
            return []
    while True:
        stripped = _unwrap(current)
        if stripped is current:
            break
        current = stripped
    if isinstance(current, type) and issubclass(current, pydantic.BaseModel):
        return sorted(f.alias or name for name, f in current.model_fields.items())
    return []


def _unwrap(tp: Any) -> Any:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return typing.get_args(tp)[0]
    if origin in (typing.Union, types.UnionType):
        models = [
            a
            for a in typing.get_args(tp)
            if isinstance(a, type) and issubclass(a, pydantic.BaseModel)
        ]
        if len(models) == 1:
            return models[0]
    return tp


def _step(tp: Any, part: str | int) -> Any:
    tp = _unwrap(_unwrap(tp))
    if isinstance(tp, type) and issubclass(tp, pydantic.BaseModel):
        for name, f in tp.model_fields.items():
            if part in (name, f.alias):
                return f.annotation
        return None
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is dict:
        return args[1]
    if origin is tuple and args:
        return args[0]
    if origin in (typing.Union, types.UnionType):
        for a in args:
            a = _unwrap(a)
            if isinstance(a, type) and issubclass(a, pydantic.BaseModel):
                field = a.model_fields.get("kind")
                if field is not None and part in typing.get_args(field.annotation):
                    return a
        for a in args:
            found = _step(a, part)
            if found is not None:
                return found
    return None


def validate_model(doc: SourceDoc) -> Scenario:
    """Validate the document's structure against the schema, with a located error."""
    if not isinstance(doc.data, dict):
        raise ScenarioError(
            "a scenario is a YAML mapping with keys id, title, clock, ...", doc.locate(())
        )
    try:
        return Scenario.model_validate(doc.data)
    except pydantic.ValidationError as err:
        raise validation_error_to_scenario_error(err, doc, (), _allowed_keys) from None


def expand_interventions(model: Scenario, doc: SourceDoc, names: Sequence[str]) -> list[str]:
    """Expand ``include``s depth-first (refusing cycles), drop repeats, refuse conflicts."""
    valid = list(model.interventions)
    order: list[str] = []

    def visit(name: str, stack: tuple[str, ...], where: Path_ | None) -> None:
        if name not in model.interventions:
            if where is None:
                raise UnknownNameError("intervention", name, valid)
            raise ScenarioError(
                f"unknown intervention {name!r} in include; defined: {', '.join(valid)}",
                doc.locate(where),
            )
        if name in stack:
            cycle = " -> ".join((*stack[stack.index(name) :], name))
            raise ScenarioError(
                f"interventions include each other in a cycle: {cycle}", doc.locate(where or ())
            )
        for i, inc in enumerate(model.interventions[name].include):
            visit(inc, (*stack, name), ("interventions", name, "include", i))
        if name not in order:
            order.append(name)

    for name in names:
        visit(name, (), None)
    for i, a in enumerate(order):
        for b in order[i + 1 :]:
            if b in model.interventions[a].conflicts or a in model.interventions[b].conflicts:
                raise BrinkError(
                    f"interventions {a!r} and {b!r} contradict each other and cannot be combined "
                    f"({a}: {model.interventions[a].description.strip()} / "
                    f"{b}: {model.interventions[b].description.strip()})"
                )
    return order


def _drop(locs: dict[Path_, Any], prefix: Path_) -> None:
    n = len(prefix)
    for key in [k for k in locs if k[:n] == prefix]:
        del locs[key]


def _graft(
    locs: dict[Path_, Any], source: dict[Path_, Any], src_prefix: Path_, dst_prefix: Path_
) -> None:
    n = len(src_prefix)
    for key, loc in source.items():
        if key[:n] == src_prefix:
            locs[dst_prefix + key[n:]] = loc


def apply_patch(doc: SourceDoc, patch_path: Path_) -> SourceDoc:
    """Apply the JSON merge patch stored in ``doc`` at ``patch_path`` to the document,
    carrying source locations so later errors point into the patch."""
    patch = doc.data
    for part in patch_path:
        patch = patch[part]
    for key in patch:
        if key in UNPATCHABLE:
            raise ScenarioError(
                f"an intervention cannot patch {key!r}", doc.locate_key((*patch_path, key))
            )
    maps = {
        "locations": dict(doc.locations),
        "key_locations": dict(doc.key_locations),
        "content_locations": dict(doc.content_locations),
    }
    sources = {name: getattr(doc, name) for name in maps}

    def replace_under(tpath: Path_, ppath: Path_ | None) -> None:
        for name, locs in maps.items():
            _drop(locs, tpath)
            if ppath is not None:
                _graft(locs, sources[name], ppath, tpath)

    def merge(target: Any, value: Any, tpath: Path_, ppath: Path_) -> Any:
        if not isinstance(value, dict):
            replace_under(tpath, ppath)
            return copy.deepcopy(value)
        base = target if isinstance(target, dict) else {}
        if not isinstance(target, dict):
            replace_under(tpath, None)
            maps["locations"][tpath] = doc.locate(ppath)
        for k, v in value.items():
            child: Path_ = (*tpath, k)
            if v is None:
                base.pop(k, None)
                replace_under(child, None)
                # an error about the now-missing key points at the patch that removed it
                maps["locations"][tpath] = doc.locate_key((*ppath, k))
            else:
                base[k] = merge(base.get(k), v, child, (*ppath, k))
                maps["key_locations"][child] = doc.locate_key((*ppath, k))
        return base

    data = merge(copy.deepcopy(doc.data), patch, (), patch_path)
    return dataclasses.replace(
        doc,
        data=data,
        locations=maps["locations"],
        key_locations=maps["key_locations"],
        content_locations=maps["content_locations"],
    )


def build(
    doc: SourceDoc,
    interventions: Sequence[str] = (),
    params: Mapping[str, float] | None = None,
) -> CompiledScenario:
    """Validate and compile a document, with the named interventions applied and then
    the given parameter values set (each must lie in the parameter's range)."""
    model = validate_model(doc)
    if not interventions:
        return compile_scenario(model, doc).with_parameters(params or {})
    names = expand_interventions(model, doc, interventions)
    patched = doc
    for name in names:
        if not isinstance(model.interventions[name].patch, dict):
            raise ScenarioError(
                "patch must be a mapping", doc.locate(("interventions", name, "patch"))
            )
        patched = apply_patch(patched, ("interventions", name, "patch"))
    return compile_scenario(validate_model(patched), patched, names).with_parameters(params or {})


def load_scenario(
    ref: str,
    interventions: Sequence[str] = (),
    params: Mapping[str, float] | None = None,
) -> CompiledScenario:
    """Load a built-in scenario by name, or a scenario file by path, and compile it."""
    return build(read_source(ref), interventions, params)


def validate_source(doc: SourceDoc) -> CompiledScenario:
    """Check a document fully: the base scenario and each intervention applied alone."""
    base = build(doc)
    model = validate_model(doc)
    for name in model.interventions:
        build(doc, [name])
    return base
