"""The incident file round-trips: file → import → file is identical, and states agree."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stanch.errors import UserError
from stanch.model.fold import fold
from stanch.services import incidents, records
from stanch.services.context import App
from stanch.timeline.parse import parse
from tests.conftest import T0, make_app

TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=60
).filter(lambda s: s.strip())
TRICKY = st.sampled_from(
    ["a | b", "<!-- ev {} -->", "-->", "line1\nline2", "— dash —", "# heading", "`code`", "ünï"]
)
NOTE = st.one_of(TEXT, TRICKY)
STATUS = st.sampled_from(
    ["investigating", "mitigating", "mitigated", "monitoring", "resolved", "closed"]
)
SEVERITY = st.sampled_from(["SEV1", "SEV2", "SEV3", "SEV4", "P0", "P1", "P2", "P3"])
ROLE = st.sampled_from(["commander", "scribe", "comms_lead", "responder"])
NAME = st.from_regex(r"[a-z][a-z0-9._-]{0,11}", fullmatch=True)
AGO = st.one_of(st.none(), st.integers(min_value=0, max_value=3).map(lambda m: f"{m} min ago"))

COMMAND = st.one_of(
    st.tuples(st.just("log"), NOTE, AGO),
    st.tuples(st.just("status"), STATUS, st.one_of(st.just(""), NOTE)),
    st.tuples(st.just("severity"), SEVERITY, st.one_of(st.just(""), NOTE)),
    st.tuples(st.just("assign"), ROLE, st.lists(NAME, min_size=1, max_size=3), st.booleans()),
    st.tuples(
        st.just("section"), st.sampled_from(["summary", "notes"]), st.one_of(st.just(""), TEXT)
    ),
)


def apply(app: App, key: str, command: tuple[object, ...]) -> None:
    kind = command[0]
    if kind == "log":
        incidents.log(app, key, str(command[1]), at=command[2])  # type: ignore[arg-type]
    elif kind == "status":
        incidents.set_status(app, key, str(command[1]), str(command[2]))
    elif kind == "severity":
        incidents.set_severity(app, key, str(command[1]), str(command[2]))
    elif kind == "assign":
        incidents.assign(app, key, str(command[1]), list(command[2]), add=bool(command[3]))  # type: ignore[call-overload]
    else:
        incidents.set_section(app, key, str(command[1]), str(command[1]).title(), str(command[2]))


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    symptom=st.one_of(TEXT, TRICKY),
    impact=st.one_of(st.just(""), NOTE),
    commands=st.lists(COMMAND, max_size=25),
)
def test_file_import_file_is_identical(
    symptom: str, impact: str, commands: list[tuple[object, ...]]
) -> None:
    with tempfile.TemporaryDirectory() as one, tempfile.TemporaryDirectory() as two:
        first = make_app(Path(one), start=T0 + timedelta(hours=1), step=timedelta(seconds=7))
        declared = incidents.declare(first, symptom, severity="SEV2", impact=impact,
                                     started="30 min ago", commander="ic")  # fmt: skip
        key = declared.incident.id
        for command in commands:
            before = first.store.chain(key)
            try:
                apply(first, key, command)
            except UserError:
                assert first.store.chain(key) == before  # a refusal records nothing
        original = declared.path.read_bytes()
        assert records.verify(first, key).ok

        second = make_app(Path(two))
        imported = records.import_file(second, declared.path)
        assert imported.path.read_bytes() == original
        from_store = first.store.state(key)
        from_file = fold(parse(original).events)
        assert from_file == from_store == second.store.state(key)
        assert second.store.chain(key) == first.store.chain(key)
        first.close()
        second.close()
