"""Log evidence use cases: analyse files, stdin or Loki; print per-line ids; pin to the incident."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from stanch.errors import InvalidInput
from stanch.evidence.logs import finding
from stanch.evidence.logs import settings as logs_settings
from stanch.evidence.logs.analyze import Analysis, Options
from stanch.evidence.logs.loki import LogSource, LokiSource
from stanch.evidence.logs.parallel import analyse_files
from stanch.evidence.logs.report import Report
from stanch.evidence.logs.sources import Line, ReadStats, read_path
from stanch.model.events import Event
from stanch.model.timeparse import parse_when
from stanch.services.context import App, record

LOKI_DEFAULT_SPAN = timedelta(hours=1)
PARALLEL_BYTES = 64 * 1024**2  # below this, starting workers costs more than it saves


@dataclass
class Request:
    """What to read and which window to look at (times as the responder typed them)."""

    paths: list[Path] = field(default_factory=list)
    loki_query: str | None = None
    start: str | None = None
    end: str | None = None
    onset: str | None = None
    context: int | None = None
    incident: str | None = None  # read the onset from it, pin the result to it
    log_format: str | None = None  # header layout; default: [logs] format, else recognised
    time_format: str | None = None  # strptime format of that layout's timestamp


def _when(app: App, text: str | None, now: datetime) -> datetime | None:
    return parse_when(text, now, allow_future=True) if text else None


def options(app: App, request: Request) -> Options:
    """The analysis options: settings, then the request; onset defaults to the incident's."""
    conf = logs_settings.load(app.settings.raw)
    now = app.clock()
    start, end = _when(app, request.start, now), _when(app, request.end, now)
    if start and end and start >= end:
        raise InvalidInput("--from must be before --to")
    onset = _when(app, request.onset, now)
    if onset is None and request.incident:
        onset = app.store.state(app.resolve_id(request.incident)).onset_at
    context = conf.context if request.context is None else request.context
    if not 0 <= context <= 100:
        raise InvalidInput("--context must be 0–100 lines")
    header = conf.header(request.log_format, request.time_format)
    return Options(start, end, onset, context, conf.zone(), conf.year, end or now, header)


def loki_source(app: App, url: str | None = None) -> LokiSource:
    conf = logs_settings.load(app.settings.raw)
    base = url or conf.loki_url
    if not base:
        raise InvalidInput("no Loki URL: give --loki-url or set loki_url in [logs] of stanch.toml")
    user = os.environ.get("STANCH_LOKI_USER")
    return LokiSource(
        base, tenant=conf.loki_tenant, username=user,
        password=os.environ.get("STANCH_LOKI_TOKEN"), limit=conf.loki_limit,
    )  # fmt: skip


def _lines(app: App, request: Request, opts: Options, stats: ReadStats,
           loki: LogSource | None, paths: list[Path] | None = None) -> Iterator[Line]:  # fmt: skip
    if request.loki_query:
        if loki is None:
            loki = loki_source(app)
        end = opts.end or app.clock()
        start = opts.start or end - LOKI_DEFAULT_SPAN
        for line in loki.lines(request.loki_query, start, end):
            stats.lines += 1
            yield line
    for path in request.paths if paths is None else paths:
        yield from read_path(path, stats)


def _sources(request: Request) -> list[str]:
    named = [str(p) if str(p) != "-" else "<stdin>" for p in request.paths]
    return ([f"loki: {request.loki_query}"] if request.loki_query else []) + named


def analyse(app: App, request: Request, *, loki: LogSource | None = None,
            parallel_bytes: int = PARALLEL_BYTES) -> Report:  # fmt: skip
    """Read everything once and rank the signatures."""
    if not request.paths and not request.loki_query:
        raise InvalidInput("nothing to read: give log files, '-' for stdin, or --loki QUERY")
    opts = options(app, request)
    stats = ReadStats()
    analysis = Analysis(opts)
    workers = logs_settings.load(app.settings.raw).workers
    files = [p for p in request.paths if str(p) != "-" and p.is_file()]
    if workers > 1 and files and _size(files) >= parallel_bytes:
        rest = [p for p in request.paths if p not in files]
        analysis.feed(_lines(app, request, opts, stats, loki, rest))
        merged, file_stats = analyse_files(files, opts, workers)
        analysis.merge(merged)
        stats.add(file_stats)
    else:
        analysis.feed(_lines(app, request, opts, stats, loki))
    return Report.of(analysis, stats, _sources(request))


def _size(paths: list[Path]) -> int:
    return sum(p.stat().st_size for p in paths)


def per_line(app: App, request: Request, *, loki: LogSource | None = None) -> Iterator[str]:
    """One signature id per input line: '-' for lines outside the window, blank or binary."""
    opts = options(app, request)
    analysis = Analysis(opts)
    for sig in analysis.added(_lines(app, request, opts, ReadStats(keep_skipped=True), loki)):
        yield sig or "-"


def pin(app: App, report: Report, incident: str | None, top: int,
        actor: str | None = None) -> Event:  # fmt: skip
    """Record the analysis as an `evidence.logs` event on the incident."""
    key = app.resolve_id(incident)
    data = report.to_json(min(top, 10))
    who = actor or app.settings.actor
    now = app.clock()
    event, _ = record(app, key, lambda s: finding.logs_found(s, data, report.summary(), who, now))
    return event
