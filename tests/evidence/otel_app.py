"""A small multi-service app instrumented with the OpenTelemetry SDK, exporting OTLP/JSON.

frontend → checkout → {cache, inventory, payments → bank}. Each service has its own
TracerProvider (its own service.name) and context crosses "the wire" as W3C
traceparent headers, as between real processes. Faults are injected per request.
The file is written with the SDK's own OTLP encoder (protobuf → JSON, ids as hex).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from google.protobuf.json_format import MessageToDict  # type: ignore[import-untyped]
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.propagate import extract, inject
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.trace import SpanKind, Status, StatusCode, Tracer

MS = 1_000_000


class Collect(SpanExporter):
    def __init__(self) -> None:
        self.spans: list[ReadableSpan] = []

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self.spans.extend(spans)
        return SpanExportResult.SUCCESS


@dataclass
class Fault:
    bank_timeout: bool = False  # payments → bank times out (the real fault)
    slow_inventory_ms: int = 80  # inventory is slow in every request (red herring)
    cache_miss: bool = True  # cache lookups error in every request (red herring)


class App:
    def __init__(self) -> None:
        self.sink = Collect()
        self.tracers: dict[str, Tracer] = {}
        for name in ("frontend", "checkout", "payments", "inventory"):
            provider = TracerProvider(resource=Resource.create({"service.name": name}))
            provider.add_span_processor(SimpleSpanProcessor(self.sink))
            self.tracers[name] = provider.get_tracer("shop")
        self.clock = 1_800_000_000 * 10**9

    def _t(self, ms: float) -> int:
        self.clock += int(ms * MS)
        return self.clock

    def request(self, fault: Fault) -> None:
        front = self.tracers["frontend"]
        root = front.start_span("GET /buy", kind=SpanKind.SERVER, start_time=self._t(1))
        with trace.use_span(root, end_on_exit=False):
            headers: dict[str, str] = {}
            client = front.start_span("POST", kind=SpanKind.CLIENT, start_time=self._t(1),
                                      attributes={"server.address": "checkout"})  # fmt: skip
            with trace.use_span(client, end_on_exit=False):
                inject(headers)
            ok = self._checkout(headers, fault)
            if not ok:
                client.set_attribute("http.response.status_code", 502)
                client.set_status(Status(StatusCode.ERROR))
                root.set_attribute("http.response.status_code", 502)
                root.set_status(Status(StatusCode.ERROR))
            client.end(end_time=self._t(1))
            root.end(end_time=self._t(1))

    def _checkout(self, headers: dict[str, str], fault: Fault) -> bool:
        tracer = self.tracers["checkout"]
        span = tracer.start_span("POST /checkout", context=extract(headers), kind=SpanKind.SERVER,
                                 start_time=self._t(1))  # fmt: skip
        with trace.use_span(span, end_on_exit=False):
            cache = tracer.start_span("GET", kind=SpanKind.CLIENT, start_time=self._t(1),
                                      attributes={"server.address": "redis"})  # fmt: skip
            if fault.cache_miss:
                cache.set_attribute("error.type", "CacheMiss")
                cache.set_status(Status(StatusCode.ERROR, "miss"))
            cache.end(end_time=self._t(2))
            inv = tracer.start_span("GET", kind=SpanKind.CLIENT, start_time=self._t(1),
                                    attributes={"server.address": "inventory"})  # fmt: skip
            out: dict[str, str] = {}
            with trace.use_span(inv, end_on_exit=False):
                inject(out)
            self._inventory(out, fault)
            inv.end(end_time=self._t(1))
            pay = tracer.start_span("POST", kind=SpanKind.CLIENT, start_time=self._t(1),
                                    attributes={"server.address": "payments"})  # fmt: skip
            out = {}
            with trace.use_span(pay, end_on_exit=False):
                inject(out)
            ok = self._payments(out, fault)
            if not ok:
                pay.set_attribute("http.response.status_code", 504)
                pay.set_status(Status(StatusCode.ERROR))
                span.set_attribute("http.response.status_code", 502)
                span.set_status(Status(StatusCode.ERROR))
            pay.end(end_time=self._t(1))
        span.end(end_time=self._t(1))
        return ok

    def _inventory(self, headers: dict[str, str], fault: Fault) -> None:
        tracer = self.tracers["inventory"]
        span = tracer.start_span("GET /stock", context=extract(headers), kind=SpanKind.SERVER,
                                 start_time=self._t(1))  # fmt: skip
        span.end(end_time=self._t(fault.slow_inventory_ms))

    def _payments(self, headers: dict[str, str], fault: Fault) -> bool:
        tracer = self.tracers["payments"]
        span = tracer.start_span("POST /charge", context=extract(headers), kind=SpanKind.SERVER,
                                 start_time=self._t(1))  # fmt: skip
        with trace.use_span(span, end_on_exit=False):
            bank = tracer.start_span("POST", kind=SpanKind.CLIENT, start_time=self._t(1),
                                     attributes={"server.address": "bank.example"})  # fmt: skip
            if fault.bank_timeout:
                bank.set_attribute("error.type", "timeout")
                bank.set_status(Status(StatusCode.ERROR, "read timed out"))
                bank.end(end_time=self._t(3000))
                span.set_attribute("http.response.status_code", 504)
                span.set_status(Status(StatusCode.ERROR))
            else:
                bank.end(end_time=self._t(20))
        span.end(end_time=self._t(1))
        return not fault.bank_timeout

    def otlp(self) -> dict[str, Any]:
        """The collected spans as OTLP/JSON (the protobuf JSON mapping, ids as hex)."""
        message: dict[str, Any] = MessageToDict(
            encode_spans(self.sink.spans), use_integers_for_enums=True
        )
        for resource in message["resourceSpans"]:
            for scope in resource["scopeSpans"]:
                for span in scope["spans"]:
                    for key in ("traceId", "spanId", "parentSpanId"):
                        if key in span:
                            span[key] = base64.b64decode(span[key]).hex()
        return message

    def write(self, path: Path) -> Path:
        path.write_text(json.dumps(self.otlp()))
        return path


def jaeger(otlp: dict[str, Any]) -> dict[str, Any]:
    """The same spans in Jaeger's JSON model (as Jaeger shows OTLP-ingested spans)."""
    kinds = {1: "internal", 2: "server", 3: "client"}
    traces: dict[str, dict[str, Any]] = {}
    for n, resource in enumerate(otlp["resourceSpans"]):
        attrs = {a["key"]: a["value"] for a in resource["resource"]["attributes"]}
        service = attrs["service.name"]["stringValue"]
        for scope in resource["scopeSpans"]:
            for span in scope["spans"]:
                trace = traces.setdefault(
                    span["traceId"], {"traceID": span["traceId"], "spans": [], "processes": {}}
                )
                trace["processes"][f"p{n}"] = {"serviceName": service, "tags": []}
                tags: list[dict[str, Any]] = [
                    {
                        "key": "span.kind",
                        "type": "string",
                        "value": kinds.get(span.get("kind", 0), "internal"),
                    }
                ]
                for attr in span.get("attributes", []):
                    value = attr["value"]
                    tags.append(
                        {
                            "key": attr["key"],
                            "type": "string",
                            "value": value.get("stringValue", value.get("intValue")),
                        }
                    )
                if span.get("status", {}).get("code") == 2:
                    tags += [{"key": "error", "type": "bool", "value": True},
                             {"key": "otel.status_code", "type": "string", "value": "ERROR"}]  # fmt: skip
                refs = (
                    [
                        {
                            "refType": "CHILD_OF",
                            "traceID": span["traceId"],
                            "spanID": span["parentSpanId"],
                        }
                    ]
                    if span.get("parentSpanId")
                    else []
                )
                start = int(span["startTimeUnixNano"]) // 1000
                trace["spans"].append({
                    "traceID": span["traceId"], "spanID": span["spanId"], "operationName": span["name"],
                    "references": refs, "startTime": start,
                    "duration": int(span["endTimeUnixNano"]) // 1000 - start, "tags": tags, "logs": [],
                    "processID": f"p{n}",
                })  # fmt: skip
    return {"data": list(traces.values()), "total": 0, "limit": 0, "offset": 0, "errors": None}
