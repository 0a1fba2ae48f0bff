"""`evidence_changes` over MCP checks the TLS endpoints an agent names, like `--tls`."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tests.evidence.test_certs_plus import _cert, _tls_server
from tests.mcp.support import client, structured


def test_an_agent_names_tls_endpoints_and_bad_ones_are_refused(
    project: Path, tmp_path: Path
) -> None:
    (project / "stanch.toml").write_text("[stanch]\n")
    cert = _cert(tmp_path / "served" / "edge.crt", 3, "edge.internal")
    out: dict[str, Any] = {}

    async def go(port: int) -> None:
        async with client(project) as s:
            declared = structured(await s.call_tool(
                "declare", {"symptom": "edge TLS errors", "severity": "SEV2"}))  # fmt: skip
            out["key"] = declared["incident"]["id"]
            out["ok"] = structured(await s.call_tool(
                "evidence_changes", {"tls": [f"127.0.0.1:{port}"]}))  # fmt: skip
            out["bad"] = structured(await s.call_tool(
                "evidence_changes", {"tls": ["127.0.0.1:443", "no-port-here"]}))  # fmt: skip

    with _tls_server(cert) as port:
        asyncio.run(go(port))
    suspects = out["ok"]["report"]["suspects"]
    assert out["ok"]["outcome"] == "ok", out["ok"]
    assert [s["id"] for s in suspects] == [f"tls:127.0.0.1:{port}"]
    assert "edge.internal" in suspects[0]["summary"]
    assert out["bad"]["outcome"] == "refused"
    assert "TLS endpoint 'no-port-here': expected HOST:PORT" in out["bad"]["message"]
