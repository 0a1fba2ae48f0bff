"""`--log-format`: Loghub-style formats and named-group regexes compiled into a splitter."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stanch.errors import InvalidInput
from stanch.evidence.logs.header import Split, split
from stanch.evidence.logs.header_format import compile_format
from stanch.evidence.logs.timestamps import parse
from tests.evidence_logs.helpers import analyse, by_template, write

HDFS = "<Date> <Time> <Pid> <Level> <Component>: <Content>"


@pytest.mark.parametrize(
    ("log_format", "line", "expected"),
    [
        (HDFS, "081109 203615 148 INFO dfs.DataNode$PacketResponder: Received block blk_-16",
         Split("081109 203615", "yymmdd", "INFO", "Received block blk_-16", 0)),
        (r"<Date> <Time> <Level> \[<Process>\] <Component>: <Content>",
         "2015-10-18 18:01:47,978 INFO [main] o.a.h.m.MRAppMaster: Created MRAppMaster",
         Split("2015-10-18 18:01:47,978", "iso", "INFO", "Created MRAppMaster", 0)),
        ("[<Time>] [<Level>] <Content>",  # bare brackets are literal
         "[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6",
         Split("Sun Dec 04 04:47:44 2005", "ctime", "error",
               "mod_jk child workerEnv in error state 6", 1)),
        (r"<Month> <Date> <Time> <Level> <Component>(\[<PID>\])?: <Content>",
         "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; rhost=x",
         Split("Jun 14 15:16:01", "syslog", "combo", "authentication failure; rhost=x", 0)),
        (r"<Month> <Date> <Time> <Level> <Component>(\[<PID>\])?: <Content>",
         "Jun 15 04:06:18 combo su(pam_unix): session opened for user cyrus",  # no [pid]
         Split("Jun 15 04:06:18", "syslog", "combo", "session opened for user cyrus", 0)),
        (r"<Time>\|<Component>\|<Pid>\|<Content>",
         "20171223-22:15:29:606|Step_LSC|30002312|onStandStepChanged 3579",
         Split("20171223-22:15:29:606", "compact", None, "onStandStepChanged 3579", 0)),
        ("<Label> <Timestamp> <Date> <Node> <Content>",
         "- 1117838570 2005.06.03 R02-M1-N0 instruction cache parity error corrected",
         Split("1117838570", "epoch", None, "instruction cache parity error corrected", 2)),
        (r"(?P<timestamp>\S+ \S+) (?P<level>[A-Z]+) +(?P<message>.*)",
         "2026-11-23 10:00:01.5 ERROR  upstream timeout after 30s",
         Split("2026-11-23 10:00:01.5", "iso", "ERROR", "upstream timeout after 30s", 0)),
        (r"(?<ts>\S+) (?<severity>\w+) (?<msg>.*)",  # named groups as PCRE, Go and JS write them
         "2026-11-23T10:00:01Z WARN pool low",
         Split("2026-11-23T10:00:01Z", "iso", "WARN", "pool low", 0)),
        ("<Date> <Time> <Content>", "10:00 not a timestamp here",  # matches, but no known shape
         Split("10:00 not", None, None, "a timestamp here", 0)),
    ],
)  # fmt: skip
def test_formats_split_lines(log_format: str, line: str, expected: Split) -> None:
    assert compile_format(log_format)(line) == expected


def test_a_line_that_does_not_match_falls_back_to_built_in_recognition() -> None:
    splitter = compile_format(HDFS)
    line = "2026-11-23T10:00:00Z WARN pool exhausted size=10"
    assert splitter(line) == split(line)
    assert splitter(line).timestamp == "2026-11-23T10:00:00Z"


def test_time_format_reads_what_no_built_in_shape_does() -> None:
    splitter = compile_format("<Date> <Time> <Level> <Content>", "%d/%m/%Y %H:%M:%S")
    header = splitter("23/11/2026 10:00:05 ERROR payment declined")
    assert (header.timestamp, header.shape, header.level) == ("23/11/2026 10:00:05", None, "ERROR")
    at = parse(header.shape, header.timestamp, time_format=splitter.time_format)
    assert at == datetime(2026, 11, 23, 10, 0, 5, tzinfo=UTC)


def test_the_compiled_format_survives_pickling_for_worker_processes() -> None:
    splitter = compile_format(HDFS, "%y%m%d %H%M%S")
    again = pickle.loads(pickle.dumps(splitter))
    line = "081109 203615 148 INFO dfs.DataNode: Received block"
    assert again(line) == splitter(line) and again.time_format == "%y%m%d %H%M%S"


@pytest.mark.parametrize(
    ("log_format", "time_format", "message"),
    [
        ("<Date> <Time> <Level>", None, "no message in the format"),
        ("(?P<timestamp>\\S+) (?P<level>\\w+)", None, "no message in the format"),
        ("(?P<message>.*", None, "not a valid pattern"),
        ("<Date> (<Content>", None, "not a valid pattern"),
        ("<Date> <Date> <Content>", None, "<Date> appears twice"),
        ("<Log Level> <Content>", None, "<Log Level> is not a placeholder name"),
        ("date time message", None, "no <placeholders>"),
        ("   ", None, "the format is empty"),
        ("<Level> <Content>", "%H:%M", "has no <Timestamp>, <Date> or <Time>"),
        ("<Time> <Content>", "%H:%Q", "'Q' is a bad directive"),
        ("<Time> <Content>", "hh:mm", "needs % directives"),
    ],
)
def test_malformed_formats_are_one_line_errors(
    log_format: str, time_format: str | None, message: str
) -> None:
    with pytest.raises(InvalidInput, match="^--(log|time)-format: .*" + message.replace("(", r"\(")
                       .replace(")", r"\)").replace("[", r"\[")) as caught:  # fmt: skip
        compile_format(log_format, time_format)
    assert "\n" not in str(caught.value)


_WORDS = st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=12)


@given(
    level=st.sampled_from(["INFO", "WARN", "ERROR"]),
    component=_WORDS.filter(lambda w: ":" not in w),
    message=st.lists(_WORDS, min_size=1, max_size=8).map(" ".join),
    second=st.integers(0, 59),
)
def test_any_message_comes_back_whole(
    level: str, component: str, message: str, second: int
) -> None:
    splitter = compile_format("<Date> <Time> <Level> <Component>: <Content>")
    header = splitter(f"2026-11-23 10:00:{second:02d} {level} {component}: {message}")
    assert (header.message, header.level, header.shape) == (message, level, "iso")
    assert header.timestamp == f"2026-11-23 10:00:{second:02d}"


def test_analysis_groups_by_the_user_format(tmp_path: Path) -> None:
    path = write(
        tmp_path / "pay.log",
        "23/11/2026 09:59:00 web-3 INFO request ok id=1",
        "23/11/2026 10:00:05 web-3 ERROR payment declined code=51",
        "23/11/2026 10:00:07 web-12 ERROR payment declined code=05",
        "23/11/2026 10:30:00 web-3 ERROR payment declined code=51",  # after the window
    )
    header = compile_format("<Date> <Time> <Host> <Level> <Content>", "%d/%m/%Y %H:%M:%S")
    analysis = analyse(path, header=header, start=datetime(2026, 11, 23, 9, 59, tzinfo=UTC),
                       end=datetime(2026, 11, 23, 10, 1, tzinfo=UTC))  # fmt: skip
    assert by_template(analysis) == {"request ok id=<*>": 1, "payment declined code=<*>": 2}
    declined = next(s for s in analysis.signatures.values() if s.level == "ERROR")
    assert declined.first is not None and declined.first.line == 2
    assert analysis.lines_outside == 1


def test_brackets_captured_with_the_timestamp_are_left_out_of_it() -> None:
    splitter = compile_format(r"(?P<timestamp>\[[^]]+\]) (?P<program>\S+) - (?P<message>.*)")
    header = splitter("[10.30 16:49:06] chrome.exe - open")
    assert (header.timestamp, header.shape, header.stamp_at) == ("10.30 16:49:06", "mmdd", 1)
    assert header.message == "open"


_STAMP_SHAPES = ["dddd-dd-ddTdd:dd:dd.dddZ", "dddddd dddddd", "dd/dd/dd dd:dd:dd", "dddddddddd",
                 "dddddddd-dd:dd:dd:ddd", "dd.dd dd:dd:dd", "Mar dd dd:dd:dd", "dd-dd dd:dd:dd.ddd"]  # fmt: skip


@given(
    shape=st.sampled_from(_STAMP_SHAPES),
    digits=st.lists(st.text("0123456789", min_size=40, max_size=40), min_size=2, max_size=2),
)
def test_remembered_timestamp_shapes_answer_like_a_fresh_read(
    shape: str, digits: list[str]
) -> None:
    def stamp(fill: str) -> str:
        chars = iter(fill)
        return "".join(next(chars) if c == "d" else c for c in shape)

    log_format = "<Timestamp> <Level> <Content>"
    warm = compile_format(log_format)
    warm(f"{stamp(digits[0])} INFO first")  # the shape is remembered from another text
    line = f"{stamp(digits[1])} INFO second"
    assert warm(line) == compile_format(log_format)(line)
