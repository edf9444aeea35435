"""`brink policies`: the built-in policies and a scenario's own."""

from __future__ import annotations

from typing import Annotated

import typer

from brinkmanship.cli.app import out

__all__ = ["policies"]


def policies(
    scenario: Annotated[
        str | None, typer.Argument(help="Also list this scenario's own policies per actor.")
    ] = None,
) -> None:
    """List the available policies, their parameters, and a scenario's own policies."""
    from brinkmanship.policies.defaults import default_policy
    from brinkmanship.policies.registry import BUILTINS
    from brinkmanship.scenario.loader import load_scenario

    out("Built-in policies (any actor; parameters as NAME:key=value,...):")
    for p in BUILTINS.values():
        out(f"  {p.name:<12} {p.description}")
        for spec in p.params:
            bounds = f" in [{spec.low:g}, {spec.high:g}]" if spec.low is not None else ""
            out(f"  {'':<12}   {spec.name}={spec.default} — {spec.help}{bounds}")
    if scenario is None:
        return
    sc = load_scenario(scenario)
    out(f"\nPolicies in {sc.id} (scenario data):")
    for actor in sc.actors.values():
        default = default_policy(sc, actor.id)
        for name, data in actor.policies.items():
            mark = " (default)" if name == default else ""
            label = f"{actor.id}={name}"
            out(f"  {label:<28} {data.kind}{mark}: {data.description.strip()}")
