"""The simulated service's behaviour, pure: requests, errors, log lines and traces.

The fault: with the `new-payment-path` flag on, calls from `payments` to the
`payment-gateway` time out for about 30% of checkouts. With it off, a small background
error rate remains (and exists before onset too, as real systems have).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

REQUESTS_PER_SECOND = 20
FAULTY_RATIO = 0.3
BACKGROUND_RATIO = 0.002
RECORDING_RULE = "checkout:http_errors:ratio_rate15s"


@dataclass(frozen=True)
class Request:
    at: datetime
    number: int
    failed: bool
    slow_cache: bool  # a slow span present in healthy traffic too (a red herring)

    @property
    def order(self) -> int:
        return 10_000 + self.number * 7 % 90_000


def _fraction(at: datetime, number: int) -> float:
    digest = hashlib.blake2b(f"{at.isoformat()}#{number}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def requests_at(second: datetime, flag_on: bool) -> list[Request]:
    """The requests of one whole second, deterministic for a given second and flag state."""
    second = second.replace(microsecond=0)
    ratio = FAULTY_RATIO if flag_on else BACKGROUND_RATIO
    out = []
    for number in range(REQUESTS_PER_SECOND):
        draw = _fraction(second, number)
        out.append(Request(second, number, draw < ratio, _fraction(second, number + 97) < 0.1))
    return out


def error_ratio(flag_on: bool) -> float:
    """The steady error ratio the recording rule reports for a flag state."""
    return FAULTY_RATIO if flag_on else BACKGROUND_RATIO


def log_lines(request: Request) -> list[str]:
    """The service's log lines for one request (ISO-8601 UTC timestamps)."""
    stamp = (request.at + timedelta(milliseconds=request.number * 37)).strftime(
        "%Y-%m-%dT%H:%M:%S.%f"
    )[:-3] + "Z"
    lines = [f"{stamp} INFO checkout POST /checkout order={request.order} started"]
    if request.failed:
        lines.append(
            f"{stamp} WARN payments retrying payment-gateway call order={request.order} attempt=1"
        )
        lines.append(
            f"{stamp} ERROR payments payment-gateway timeout after 3000ms "
            f"order={request.order} route=/v2/authorize"
        )
        lines.append(f"{stamp} ERROR checkout POST /checkout order={request.order} status=502")
    elif request.number % 50 == 0:
        lines.append(f"{stamp} ERROR inventory cache miss storm key=sku-{request.order % 97}")
    else:
        lines.append(f"{stamp} INFO checkout POST /checkout order={request.order} status=200")
    return lines


def _span(trace: str, span: str, parent: str, service: str, name: str,
          start: datetime, millis: int, error: bool) -> dict[str, Any]:  # fmt: skip
    begin = int(start.timestamp() * 1e9)
    body: dict[str, Any] = {
        "traceId": trace,
        "spanId": span,
        "name": name,
        "kind": 3 if parent else 2,
        "startTimeUnixNano": str(begin),
        "endTimeUnixNano": str(begin + millis * 1_000_000),
        "status": {"code": 2, "message": "deadline exceeded"} if error else {"code": 1},
        "attributes": [
            {"key": "peer.service", "value": {"stringValue": name.rsplit(" ", maxsplit=1)[-1]}}
        ],
    }
    if parent:
        body["parentSpanId"] = parent
    return {"service": service, "span": body}


def trace_spans(request: Request) -> list[dict[str, Any]]:
    """checkout → payments → payment-gateway, plus checkout → inventory-cache."""
    trace = hashlib.blake2b(f"{request.at}{request.number}".encode(), digest_size=16).hexdigest()
    ids = [hashlib.blake2b(f"{trace}{n}".encode(), digest_size=8).hexdigest() for n in range(4)]
    fail = request.failed
    gateway_ms = 3000 if fail else 80
    cache_ms = 400 if request.slow_cache else 5
    return [
        _span(trace, ids[0], "", "checkout", "POST /checkout", request.at,
              gateway_ms + cache_ms + 40, fail),
        _span(trace, ids[1], ids[0], "checkout", "call payments", request.at,
              gateway_ms + 20, fail),
        _span(trace, ids[2], ids[1], "payments", "call payment-gateway", request.at,
              gateway_ms, fail),
        _span(trace, ids[3], ids[0], "checkout", "call inventory-cache", request.at,
              cache_ms, False),
    ]  # fmt: skip


def otlp_document(requests: list[Request]) -> dict[str, Any]:
    """An OTLP/JSON `ExportTraceServiceRequest` for the given requests."""
    by_service: dict[str, list[dict[str, Any]]] = {}
    for request in requests:
        for item in trace_spans(request):
            by_service.setdefault(item["service"], []).append(item["span"])
    return {
        "resourceSpans": [
            {
                "resource": {
                    "attributes": [{"key": "service.name", "value": {"stringValue": name}}]
                },
                "scopeSpans": [{"scope": {"name": "sim"}, "spans": spans}],
            }
            for name, spans in sorted(by_service.items())
        ]
    }


def seconds(start: datetime, end: datetime, step: int = 1) -> list[datetime]:
    start = start.astimezone(UTC).replace(microsecond=0)
    count = max(0, int((end - start).total_seconds()) // step)
    return [start + timedelta(seconds=n * step) for n in range(count)]
