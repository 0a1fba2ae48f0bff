"""First occurrence, what preceded it, and counts around onset, across files and streams."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from stanch.evidence.logs.analyze import Analysis, Options
from stanch.evidence.logs.rank import rank
from stanch.evidence.logs.sources import Line
from stanch.services import logs
from stanch.services.context import App
from tests.evidence_logs.helpers import T0, analyse, write


def stamp(seconds: int) -> str:
    return (T0 + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


def test_first_occurrence_is_the_earliest_across_files_with_its_own_preceding_lines(
    tmp_path: Path,
) -> None:
    one = write(tmp_path / "api-1.log", f"{stamp(1)} INFO request ok 1", f"{stamp(2)} INFO request ok 2",
                f"{stamp(50)} WARN pool exhausted size=10", f"{stamp(51)} ERROR upstream timeout after 30s")  # fmt: skip
    two = write(tmp_path / "api-2.log", f"{stamp(3)} INFO request ok 3", f"{stamp(4)} INFO cache warm",
                f"{stamp(5)} WARN pool exhausted size=12", f"{stamp(20)} ERROR upstream timeout after 31s")  # fmt: skip
    analysis = analyse(one, two, onset=T0 + timedelta(seconds=10), context=2)
    sig = next(s for s in analysis.signatures.values() if s.template.startswith("upstream timeout"))
    assert sig.first is not None
    assert (sig.first.source, sig.first.line, sig.first.at) == (
        str(two),
        4,
        T0 + timedelta(seconds=20),
    )
    assert sig.first.preceding == (
        f"{stamp(4)} INFO cache warm",
        f"{stamp(5)} WARN pool exhausted size=12",
    )
    assert (sig.count, sig.before, sig.after) == (2, 0, 2)
    pool = next(s for s in analysis.signatures.values() if s.template.startswith("pool"))
    assert (pool.before, pool.after) == (1, 1)
    assert pool.first is not None and pool.first.source == str(two) and pool.first.line == 3


def test_interleaved_streams_keep_their_own_context() -> None:
    analysis = Analysis(Options(onset=T0 + timedelta(seconds=5), context=3))
    feed = [("{app=a}", 1, "GET /x 200"), ("{app=b}", 2, "disk 91% full on /dev/sda1"),
            ("{app=a}", 3, "GET /y 200"), ("{app=b}", 4, "disk 97% full on /dev/sda1"),
            ("{app=a}", 6, "db conn refused 10.0.0.5"), ("{app=b}", 7, "db conn refused 10.0.0.6")]  # fmt: skip
    numbers: dict[str, int] = {}
    for stream, second, text in feed:
        numbers[stream] = numbers.get(stream, 0) + 1
        analysis.add(Line(stream, numbers[stream], f"{stamp(second)} {text}"))
    refused = next(s for s in analysis.signatures.values() if s.template.startswith("db conn"))
    assert refused.first is not None
    assert refused.first.source == "{app=a}" and refused.first.line == 3
    assert refused.first.preceding == (f"{stamp(1)} GET /x 200", f"{stamp(3)} GET /y 200")
    ranked = rank(analysis)
    assert ranked[0].signature is refused and ranked[0].change == "new"


def test_ranking_new_then_surged_by_rate_not_count() -> None:
    analysis = Analysis(
        Options(start=T0, end=T0 + timedelta(minutes=70), onset=T0 + timedelta(minutes=60))
    )
    lines = [f"{stamp(m * 60)} INFO heartbeat ok" for m in range(70)]  # steady: 1/min
    lines += [f"{stamp(m * 600)} WARN retrying payment 42" for m in range(6)]  # 6 in the hour
    lines += [f"{stamp(3600 + m * 60)} WARN retrying payment 43" for m in range(6)]  # 6 in 10 min
    lines += [f"{stamp(3700)} ERROR card processor unreachable"]
    for number, text in enumerate(lines, 1):
        analysis.add(Line("app.log", number, text))
    changes = {r.signature.template: r.change for r in rank(analysis)}
    assert changes == {"card processor unreachable": "new", "retrying payment <*>": "surged",
                       "heartbeat ok": "steady"}  # fmt: skip
    assert [r.change for r in rank(analysis)] == ["new", "surged", "steady"]


def test_files_on_two_processes_give_the_same_report_as_one(tmp_path: Path, app: App) -> None:
    files = []
    for index in range(3):
        lines = [f"{stamp(s)} INFO request ok id={s}" for s in range(index, 60, 3)]
        lines.insert(5 + index, f"{stamp(20 - index)} ERROR db conn refused 10.0.0.{index}")
        files.append(write(tmp_path / f"api-{index}.log", *lines))
    request = logs.Request(files, onset=stamp(10), context=2)
    one = logs.analyse(app, request)  # below the size threshold: one process
    two = logs.analyse(app, request, parallel_bytes=0)
    assert two.to_json(10) == one.to_json(10)
    refused = next(s for s in two.to_json(10)["signatures"] if s["template"].startswith("db"))
    assert refused["first"]["source"] == str(files[2]) and refused["count"] == 3


def test_signatures_on_two_processes_match_one() -> None:
    from stanch.evidence.logs.miner import Miner
    from stanch.evidence.logs.parallel import MIN_LINES, signatures_parallel

    lines = [
        f"{stamp(i % 3600)} INFO job {i} done in {i % 97} ms on worker-{i % 5}"
        for i in range(MIN_LINES + 7)
    ]
    # lines of both length parities, shapes seen by one worker only, a line never repeated
    lines[MIN_LINES // 2] = f"{stamp(5)} ERROR job deadbeef12345 failed"
    lines[MIN_LINES // 2 + 1] = f"{stamp(5)} ERROR job deadbeef123456 failed"
    miner = Miner()
    assert signatures_parallel(lines, workers=2) == [miner.parse(x).signature for x in lines]
