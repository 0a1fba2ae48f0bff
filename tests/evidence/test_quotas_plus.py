"""Quotas at their limit at onset are suspects, read from a real Prometheus."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from stanch.errors import InvalidInput
from stanch.services import evidence, incidents
from stanch.services.context import App
from tests.conftest import make_app
from tests.support.prometheus import running_prometheus

NOW = datetime.now(UTC).replace(second=0, microsecond=0)
START = int((NOW - timedelta(hours=1)).timestamp())
QUOTAS = {  # namespace/quota/resource: (used, hard)
    ("checkout", "compute", "pods"): (50, 50),
    ("checkout", "storage", "requests.storage"): (95, 100),
    ("search", "compute", "pods"): (10, 40),
}


def openmetrics() -> str:
    lines = ["# TYPE kube_resourcequota gauge"]
    for (ns, quota, resource), (used, hard) in QUOTAS.items():
        for kind, value in (("used", used), ("hard", hard)):
            labels = f'namespace="{ns}",resourcequota="{quota}",resource="{resource}",type="{kind}"'
            lines += [f"kube_resourcequota{{{labels}}} {value} {t}"
                      for t in range(START, START + 3600, 60)]  # fmt: skip
    return "\n".join(lines) + "\n# EOF\n"


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_prometheus(tmp_path_factory.mktemp("quotas"), openmetrics=openmetrics()) as url:
        yield url


def app_with(project: Path, toml: str) -> App:
    (project / "stanch.toml").write_text("[stanch]\n" + toml)
    return make_app(project, start=NOW - timedelta(minutes=5), step=timedelta(0))


def test_full_and_nearly_full_quotas_are_suspects(project: Path, prometheus: str) -> None:
    app = app_with(project, f'[evidence]\nprometheus_url = "{prometheus}"\n[evidence.quotas]\n')
    try:
        key = incidents.declare(app, "checkout pods stuck pending", severity="SEV2",
                                services=["checkout"], started="20 min ago").incident.id  # fmt: skip
        report = evidence.changes(app, key, repos=[], record_it=False)
    finally:
        app.close()
    quotas = [s.change for s in report.suspects if s.change.kind == "quota"]
    assert [c.id for c in quotas] == [
        "quota:checkout/compute/pods", "quota:checkout/storage/requests.storage",
    ]  # fmt: skip
    assert "exhausted" in quotas[0].summary and "at 95% of its limit" in quotas[1].summary
    assert all(c.services == ("checkout",) for c in quotas)
    assert f"quotas:{prometheus}" in report.sources


def test_without_the_table_quotas_are_not_read_and_bad_settings_are_one_line(
    project: Path, prometheus: str
) -> None:
    app = app_with(project, f'[evidence]\nprometheus_url = "{prometheus}"\n')
    key = incidents.declare(app, "x", severity="SEV3").incident.id
    report = evidence.changes(app, key, repos=[], record_it=False)
    assert not any(s.change.kind == "quota" for s in report.suspects)
    app.close()
    bad = app_with(project, f'[evidence]\nprometheus_url = "{prometheus}"\n'
                   "[evidence.quotas]\nthreshold = 1.5\n")  # fmt: skip
    with pytest.raises(InvalidInput, match="threshold"):
        evidence.changes(bad, incidents.declare(bad, "y", severity="SEV3").incident.id,
                         repos=[], record_it=False)  # fmt: skip
    bad.close()
