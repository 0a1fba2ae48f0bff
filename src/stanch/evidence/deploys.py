"""Deploys from Helm release history (`helm history RELEASE -o json`), each with its rollback."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime

from stanch.errors import InvalidInput
from stanch.executor import Executor
from stanch.model.clock import from_iso
from stanch.model.evidence import Change

_FRACTION = re.compile(r"(\.\d{6})\d+")


def _when(text: str) -> datetime:
    # Go writes nanoseconds; Python reads at most microseconds.
    return from_iso(_FRACTION.sub(r"\1", text.replace("Z", "+00:00")))


@dataclass(frozen=True)
class HelmSource:
    """One release: `namespace/name` or `name` (the current namespace)."""

    release: str
    executor: Executor

    def changes(self) -> list[Change]:
        namespace, _, name = self.release.rpartition("/")
        argv = ["helm", "history", name, "--max", "50", "-o", "json"]
        argv += ["-n", namespace] if namespace else []
        result = self.executor.run(argv, mutating=False, timeout=60)
        if not result.ok:
            detail = (result.stderr.strip().splitlines() or [result.outcome.value])[-1]
            raise InvalidInput(f"helm history {self.release}: {detail}")
        try:
            rows = sorted(json.loads(result.stdout), key=lambda r: int(r["revision"]))
            return [
                self._change(prev, row, namespace, name)
                for prev, row in zip([None, *rows], rows, strict=False)
                if prev
            ]
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidInput(f"helm history {self.release}: unexpected output ({exc})") from None

    def _change(
        self, prev: dict[str, object] | None, row: dict[str, object], namespace: str, name: str
    ) -> Change:
        assert prev is not None
        undo = ["helm", "rollback", name, str(prev["revision"])]
        undo += ["-n", namespace] if namespace else []
        chart = str(row.get("chart", ""))
        service = chart.rsplit("-", 1)[0] if "-" in chart else chart
        summary = f"helm {name} r{row['revision']}: {chart} {row.get('app_version', '')} — {row.get('description', '')}"
        return Change(
            kind="deploy", id=f"helm:{self.release}:{row['revision']}", at=_when(str(row["updated"])),
            summary=summary.strip(), source=f"helm:{self.release}",
            services=tuple(dict.fromkeys(s for s in (name, service) if s)), undo=" ".join(undo),
        )  # fmt: skip
