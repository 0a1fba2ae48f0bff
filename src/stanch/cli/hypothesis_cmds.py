"""`stanch hypothesis`, `stanch hypotheses` and `stanch verdict`: one idea at a time, checked."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from stanch.cli.context import JSON_OPTION, app_of, console, emit_json
from stanch.model.hypothesis import Hypothesis
from stanch.services import hypotheses

PROMETHEUS_OPTION = typer.Option("--prometheus", help="Prometheus base URL for PromQL checks.")


def _say(found: Hypothesis, as_json: bool) -> None:
    if as_json:
        emit_json(found.to_dict())
        return
    text = f"{found.hid} {found.verdict}: {found.text}"
    if found.value is not None or found.verdict != "open":
        text += f" (value {found.value if found.value is not None else 'no data'}"
        text += f", expected {found.expect})" if found.expect else ")"
    console.print(text)


def hypothesis(
    ctx: typer.Context,
    incident: Annotated[str, typer.Argument(help="Incident id.")],
    text: Annotated[str, typer.Argument(help="The hypothesis, in one sentence.")],
    predict: Annotated[str, typer.Option("--predict", help="What we would see if it is true.")],
    check: Annotated[
        str | None,
        typer.Option("--check", help="PromQL, or traces:FILE (share of failing traces)."),
    ] = None,
    expect: Annotated[
        str | None, typer.Option("--expect", help="What the check shows if true, e.g. '> 0.05'.")
    ] = None,
    prometheus: Annotated[str | None, PROMETHEUS_OPTION] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """State one hypothesis, its prediction and the check that could falsify it; run the check."""
    found = hypotheses.propose(
        app_of(ctx), incident, text, predict=predict, check=check, expect=expect,
        prometheus=prometheus,
    )  # fmt: skip
    _say(found, as_json)


def verdict(
    ctx: typer.Context,
    incident: Annotated[str, typer.Argument(help="Incident id.")],
    hid: Annotated[str, typer.Argument(help="Hypothesis id, e.g. H2.")],
    given: Annotated[
        str | None,
        typer.Argument(help="supported, refuted or inconclusive (default: run the check)."),
    ] = None,
    evidence: Annotated[str, typer.Option("--evidence", help="What decided it.")] = "",
    prometheus: Annotated[str | None, PROMETHEUS_OPTION] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Record the verdict on a hypothesis: by hand, or by running its check again."""
    found = hypotheses.verdict(
        app_of(ctx), incident, hid, given, evidence=evidence, prometheus=prometheus
    )
    _say(found, as_json)


def list_hypotheses(
    ctx: typer.Context,
    incident: Annotated[str | None, typer.Argument(help="Incident id.")] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Every hypothesis of the incident, refuted ones included."""
    found = hypotheses.listing(app_of(ctx), incident)
    if as_json:
        emit_json([h.to_dict() for h in found])
        return
    if not found:
        console.print("No hypotheses yet.")
        return
    table = Table("id", "verdict", "hypothesis", "prediction", "check", "value")
    for h in found:
        table.add_row(h.hid, h.verdict, h.text, h.predict, h.check or "-",
                      "" if h.value is None else f"{h.value:.4g}")  # fmt: skip
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("hypothesis")(hypothesis)
    app.command("hypotheses")(list_hypotheses)
    app.command("verdict")(verdict)
