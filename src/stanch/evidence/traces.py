"""Read OTLP/JSON and Jaeger JSON trace files into compact spans, streaming big files.

Small files are parsed whole with orjson (fast); files above `STREAM_ABOVE` bytes are
read incrementally with ijson, one resourceSpans (OTLP) or one trace (Jaeger) at a
time, so memory holds compact spans, never the whole document. JSON Lines (one
TracesData per line, as the OpenTelemetry Collector's file exporter writes) works too.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

import httpx
import ijson
import orjson

from stanch.errors import EnvironmentProblem, InvalidInput, classify_os_error
from stanch.model.traces import CLIENT, Span

STREAM_ABOVE = 64 * 1024 * 1024
_PEER_KEYS = ("peer.service", "server.address", "net.peer.name", "db.system", "rpc.service")
_URL_KEYS = ("url.full", "http.url")
_JAEGER_KINDS = {"internal": 1, "server": 2, "client": 3, "producer": 4, "consumer": 5}
_GRPC = ("OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
         "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
         "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
         "UNAUTHENTICATED")  # fmt: skip


class TraceStoreUnavailable(EnvironmentProblem):
    """The trace store cannot be reached or failed on its side."""


def detect(path: Path) -> str:
    """'otlp' or 'jaeger', from the first top-level key."""
    with _open(path) as handle:
        head = handle.read(65536)
    otlp, jaeger = head.find(b'"resourceSpans"'), head.find(b'"data"')
    if otlp == -1 and jaeger == -1:
        if not head.strip():
            raise InvalidInput(f"{path}: empty file")
        raise InvalidInput(f"{path}: neither OTLP/JSON (resourceSpans) nor Jaeger JSON (data)")
    return "otlp" if jaeger == -1 or (otlp != -1 and otlp < jaeger) else "jaeger"


def _open(path: Path) -> IO[bytes]:
    try:
        return path.open("rb")
    except FileNotFoundError:
        raise InvalidInput(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InvalidInput(f"{path}: is a directory") from None
    except OSError as exc:
        raise classify_os_error(exc, f"cannot read {path}") from exc


def read_spans(path: Path, fmt: str | None = None, *, stream: bool | None = None) -> Iterator[Span]:
    """Every span of the file; bad JSON or encoding is one clear InvalidInput."""
    kind = fmt or detect(path)
    if kind not in ("otlp", "jaeger"):
        raise InvalidInput(f"trace format {kind!r}: expected otlp or jaeger")
    big = path.stat().st_size > STREAM_ABOVE if stream is None else stream
    prefix = "resourceSpans.item" if kind == "otlp" else "data.item"
    convert = _otlp_resource if kind == "otlp" else _jaeger_trace
    try:
        for item in _items(path, prefix, big):
            yield from convert(item)
    except (ijson.JSONError, orjson.JSONDecodeError) as exc:
        raise InvalidInput(f"{path}: {_json_problem(exc)}") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{path}: not UTF-8 text") from None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InvalidInput(f"{path}: not a {kind} trace document ({exc!r})") from None


def fetch_jaeger(
    url: str, service: str, start: datetime, end: datetime, limit: int = 1000,
    transport: httpx.BaseTransport | None = None,
) -> Iterator[Span]:  # fmt: skip
    """Traces of a service from Jaeger's query API, healthy ones too (for the contrast)."""
    params = {
        "service": service, "start": str(int(start.timestamp() * 1e6)),
        "end": str(int(end.timestamp() * 1e6)), "limit": str(limit),
    }  # fmt: skip
    try:
        with httpx.Client(base_url=url, timeout=60, transport=transport) as client:
            response = client.get("/api/traces", params=params)
    except httpx.HTTPError as exc:
        raise TraceStoreUnavailable(f"Jaeger at {url} unreachable: {exc}") from None
    try:
        body = response.json()
    except ValueError:
        raise TraceStoreUnavailable(
            f"Jaeger at {url}: HTTP {response.status_code} without JSON"
        ) from None
    if response.status_code != 200 or body.get("errors"):
        detail = (body.get("errors") or [{}])[0].get("msg", f"HTTP {response.status_code}")
        raise InvalidInput(f"Jaeger at {url} refused the query: {detail}")
    try:
        for trace in body.get("data") or ():
            yield from _jaeger_trace(trace)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InvalidInput(f"Jaeger at {url}: not Jaeger JSON ({exc!r})") from None


def _json_problem(exc: Exception) -> str:
    detail = exc.args[0] if exc.args else exc
    text = detail.decode(errors="replace") if isinstance(detail, bytes) else str(detail)
    if "UTF8" in text or "UTF-8" in text:
        return "not UTF-8 text"
    return f"malformed JSON ({text.strip().splitlines()[0][:120] if text.strip() else 'truncated'})"


def _items(path: Path, prefix: str, stream: bool) -> Iterator[Any]:
    if stream:
        with _open(path) as handle:
            yield from ijson.items(handle, prefix, multiple_values=True, use_float=True)
        return
    with _open(path) as handle:
        raw = handle.read()
    key = prefix.split(".", maxsplit=1)[0]
    try:
        docs = [orjson.loads(raw)]
    except orjson.JSONDecodeError as exc:
        if "UTF-8" in str(exc):
            raise UnicodeDecodeError("utf-8", raw[:1], 0, 1, str(exc)) from None
        lines = [line for line in raw.splitlines() if line.strip()]
        if len(lines) < 2:
            raise
        docs = [orjson.loads(line) for line in lines]  # JSON Lines: one document a line
    for doc in docs:
        if not isinstance(doc, dict):
            raise InvalidInput(f"{path}: top level is not an object")
        yield from doc.get(key) or ()


def _value(any_value: dict[str, Any]) -> Any:
    for key in ("stringValue", "intValue", "boolValue", "doubleValue"):
        if key in any_value:
            return any_value[key]
    return None


_WANTED = frozenset(
    {*_PEER_KEYS, *_URL_KEYS, "error.type", "exception.type", "http.response.status_code",
     "http.status_code", "rpc.grpc.status_code", "rpc.response.status_code", "service.name"}
)  # fmt: skip


def _attrs(items: list[dict[str, Any]] | None) -> dict[str, Any]:
    """Only the attributes the analysis reads."""
    return {a["key"]: _value(a.get("value") or _NONE) for a in items or () if a["key"] in _WANTED}


def _peer(attrs: dict[str, Any]) -> str:
    for key in _PEER_KEYS:
        if attrs.get(key):
            return str(attrs[key])
    for key in _URL_KEYS:
        if attrs.get(key):
            return urlsplit(str(attrs[key])).hostname or ""
    return ""


def _call_failed(attrs: dict[str, Any], exception: str) -> bool:
    """A client call's response says it failed (OTel semantic conventions), whatever its status."""
    if attrs.get("error.type") or exception:
        return True
    code = attrs.get("http.response.status_code", attrs.get("http.status_code"))
    if code is not None and str(code).isdigit() and int(code) >= 400:
        return True
    grpc = attrs.get("rpc.grpc.status_code")
    return grpc is not None and str(grpc).isdigit() and int(grpc) != 0


def _error_type(attrs: dict[str, Any], message: str, exception: str) -> str:
    if attrs.get("error.type"):
        return str(attrs["error.type"])
    if exception:
        return exception
    code = attrs.get("http.response.status_code", attrs.get("http.status_code"))
    if code is not None and str(code).isdigit() and int(code) >= 400:
        return str(code)
    grpc = attrs.get("rpc.grpc.status_code")
    if grpc is not None and str(grpc).isdigit() and 0 < int(grpc) < len(_GRPC):
        return _GRPC[int(grpc)]
    return attrs.get("rpc.response.status_code") or message or "error"


_OTLP_KINDS = {"INTERNAL": 1, "SERVER": 2, "CLIENT": 3, "PRODUCER": 4, "CONSUMER": 5}
_STATUS = {"UNSET": 0, "OK": 1, "ERROR": 2}
_NONE: dict[str, Any] = {}


def _enum(value: Any, names: dict[str, int]) -> int:
    """Integers per the OTLP/JSON spec; enum names (SPAN_KIND_SERVER) from lax encoders too."""
    if isinstance(value, str) and not value.isdigit():
        return names.get(value.rsplit("_", 1)[-1], 0)
    return int(value or 0)


def _otlp_resource(resource: dict[str, Any]) -> Iterator[Span]:
    service = str(
        _attrs((resource.get("resource") or {}).get("attributes")).get("service.name", "")
    )
    for scope in resource.get("scopeSpans") or ():
        for raw in scope.get("spans") or ():
            status = raw.get("status") or _NONE
            code = status.get("code") or 0
            error = code == 2 or (isinstance(code, str) and _enum(code, _STATUS) == 2)
            kind = _enum(raw.get("kind"), _OTLP_KINDS)
            # Attributes matter only for errors (error type) and client calls (downstream).
            attrs = _attrs(raw.get("attributes")) if error or kind == CLIENT else _NONE
            exception = _otlp_exception(raw) if error or kind == CLIENT else ""
            failed = not error and kind == CLIENT and _call_failed(attrs, exception)
            yield Span(
                str(raw["traceId"]).lower(), str(raw["spanId"]).lower(),
                str(raw.get("parentSpanId") or "").lower(), service, str(raw.get("name", "")),
                kind, int(raw.get("startTimeUnixNano") or 0),
                int(raw.get("endTimeUnixNano") or 0), error,
                _error_type(attrs, str(status.get("message") or ""), exception)
                if error or failed else "",
                _peer(attrs), failed,
            )  # fmt: skip


def _otlp_exception(raw: dict[str, Any]) -> str:
    """The exception type of the span's last `exception` event, or ''."""
    exception = ""
    for event in raw.get("events") or ():
        if event.get("name") == "exception":
            exception = str(_attrs(event.get("attributes")).get("exception.type", ""))
    return exception


def _jaeger_trace(trace: dict[str, Any]) -> Iterator[Span]:
    processes = {
        k: str(v.get("serviceName", "")) for k, v in (trace.get("processes") or {}).items()
    }
    for raw in trace.get("spans") or ():
        tags = {t["key"]: t.get("value") for t in raw.get("tags") or ()}
        error = tags.get("error") in (True, "true") or tags.get("otel.status_code") == "ERROR"
        parent = next(
            (r["spanID"] for r in raw.get("references") or () if r.get("refType") == "CHILD_OF"),
            "",
        )
        exception = ""
        for log in raw.get("logs") or ():
            fields = {f["key"]: f.get("value") for f in log.get("fields") or ()}
            if fields.get("event") == "exception" and fields.get("exception.type"):
                exception = str(fields["exception.type"])
        start = int(raw.get("startTime") or 0) * 1000
        message = str(tags.get("otel.status_description") or "")
        kind = _JAEGER_KINDS.get(str(tags.get("span.kind", "")), 0)
        failed = not error and kind == CLIENT and _call_failed(tags, exception)
        yield Span(
            str(raw["traceID"]).lower(), str(raw["spanID"]).lower(), str(parent).lower(),
            processes.get(str(raw.get("processID")), ""), str(raw.get("operationName", "")),
            kind, start, start + int(raw.get("duration") or 0) * 1000, error,
            _error_type(tags, message, exception) if error or failed else "", _peer(tags), failed,
        )  # fmt: skip
