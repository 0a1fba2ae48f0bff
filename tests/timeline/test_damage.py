"""Hand-edited or damaged incident files are detected and regenerated from the store."""

from __future__ import annotations

from pathlib import Path

import pytest

from stanch.errors import Conflict, InvalidInput
from stanch.services import incidents, records
from stanch.services.context import App
from tests.conftest import make_app


def scripted(app: App) -> Path:
    done = incidents.declare(app, "Payments API timeouts", severity="P1", started="5 min ago")
    incidents.log(app, None, "p99 at 9s on payments-api")
    incidents.set_status(app, None, "mitigating", "scaling payments-api to 12")
    incidents.log(app, None, "HPA min raised")
    return done.path


def test_hand_edit_is_detected_and_regenerated(app: App) -> None:
    path = scripted(app)
    original = path.read_bytes()
    path.write_bytes(original.replace(b"p99 at 9s", b"p99 at 2s"))
    check = records.verify(app, None)
    assert not check.ok
    assert check.problem is not None and check.problem.startswith("line ")
    assert not records.show(app, None).file.ok
    records.regenerate(app, None)
    assert path.read_bytes() == original
    assert records.verify(app, None).ok


def test_truncated_file_is_repaired_by_the_next_append(app: App) -> None:
    path = scripted(app)
    content = path.read_bytes()
    path.write_bytes(content[: len(content) - 40])  # a torn last line
    assert not records.verify(app, None).ok
    incidents.log(app, None, "after the tear")
    assert records.verify(app, None).ok
    assert path.read_bytes().count(b"<!-- ev ") == 5


def test_missing_file_is_recreated_by_the_next_append(app: App) -> None:
    path = scripted(app)
    path.unlink()
    assert records.verify(app, None).problem == "the file is missing"
    incidents.log(app, None, "file came back")
    assert records.verify(app, None).ok


def test_damaged_event_data_is_refused_on_import(app: App, tmp_path: Path) -> None:
    path = scripted(app)
    damaged = path.read_bytes().replace(b'"kind":"note"', b'"kind":"note', 1)
    target = tmp_path / "damaged.md"
    target.write_bytes(damaged)
    other = make_app(tmp_path / "elsewhere")
    with pytest.raises(InvalidInput, match=r"damaged: line \d+: event data is damaged"):
        records.import_file(other, target)
    assert other.store.ids() == []


def test_edited_event_data_breaks_the_chain(app: App, tmp_path: Path) -> None:
    path = scripted(app)
    edited = path.read_bytes().replace(b'"text":"HPA min raised"', b'"text":"HPA max raised"')
    target = tmp_path / "edited.md"
    target.write_bytes(edited)
    with pytest.raises(InvalidInput, match="do not hash to the header's chain"):
        records.import_file(make_app(tmp_path / "elsewhere"), target)


def test_import_reports_a_hand_edited_human_line(app: App, tmp_path: Path) -> None:
    path = scripted(app)
    target = tmp_path / "copy.md"
    target.write_bytes(path.read_bytes().replace(b"on payments-api <!--", b"(edited) <!--"))
    other = make_app(tmp_path / "elsewhere")
    done = records.import_file(other, target)
    assert done.added == 4
    assert done.rewritten is not None and "differs" in done.rewritten
    assert done.path.read_bytes() == path.read_bytes()


def test_import_extends_but_never_rewrites_history(app: App, tmp_path: Path) -> None:
    path = scripted(app)
    snapshot = tmp_path / "snapshot.md"
    snapshot.write_bytes(path.read_bytes())
    other = make_app(tmp_path / "elsewhere")
    records.import_file(other, snapshot)
    incidents.log(app, None, "more on the first machine")
    assert records.import_file(other, path).added == 1
    assert records.import_file(other, path).added == 0
    incidents.log(other, None, "diverging on the second machine")
    incidents.log(app, None, "and on the first")
    with pytest.raises(Conflict, match="different history"):
        records.import_file(other, path)
    assert other.store.chain(path.stem)[0] == 6


def test_not_an_incident_file(tmp_path: Path, app: App) -> None:
    target = tmp_path / "README.md"
    target.write_text("# hello\n")
    with pytest.raises(InvalidInput, match="not a stanch incident file"):
        records.import_file(app, target)
    with pytest.raises(InvalidInput, match="no such file"):
        records.import_file(app, tmp_path / "absent.md")
