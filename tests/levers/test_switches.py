"""Circuit breakers, load shedding, rate limits and Terraform traffic weights as levers."""

from __future__ import annotations

import json
import os
import stat
import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from stanch.executor import Executor
from stanch.levers.candidates import candidates
from stanch.levers.discover import discover
from stanch.levers.executors import Ctx
from stanch.levers.file_edit import FileEditExecutor
from stanch.levers.history import git_changes
from stanch.model.levers import Lever, mark_recent, rank
from stanch.services.context import App
from tests.levers.conftest import lever_app
from tests.levers.repos import DEPLOYMENT, commit_all, init_repo
from tests.levers.test_mitigate import declare, events, mitigate

HOSTILE_KEY = 'svc"; touch pwned; echo "'

APP_YAML = f"""\
# service config: comments and layout must survive the edit
server:
  circuit_breaker:
    enabled: false   # flip in an emergency
    threshold: 5
  rate_limit:
    enabled: true
    requests_per_second: 200
  load_shedding: false
  rateLimit: "300"          # a string, not a number: left alone
'{HOSTILE_KEY}':
  rateLimit: 100
"""
ENVOY_JSON = json.dumps({"clusters": [{"name": "api", "circuit_breakers": {"thresholds": [
    {"priority": "DEFAULT", "max_connections": 1024, "max_requests": 512}]}}]}, indent=2)  # fmt: skip
SVC_TOML = """\
title = "svc"

[shedding]
enabled = false # on overload

[limits.rate_limit]
limit = 300

[[upstream]]  # an array of tables: not edited by line
rate_limit = 50
"""
DNS_TF = """\
resource "aws_route53_record" "blue" {
  zone_id        = var.zone
  name           = "api.example.com"
  type           = "A"
  set_identifier = "blue"
  weighted_routing_policy {
    weight = 90 # most traffic
  }
  records = ["1.2.3.4"]
}

resource "aws_route53_record" "green" {
  zone_id        = var.zone
  name           = "api.example.com"
  type           = "A"
  set_identifier = "green"
  /* weighted_routing_policy { weight = 5 } */
  weighted_routing_policy {
    weight = 10
  }
  records = ["5.6.7.8 }"]
}

resource "aws_route53_record" "alone" {
  name = "solo.example.com"
  weighted_routing_policy {
    weight = 100
  }
}
"""
LB_TF = """\
locals {
  note = <<EOT
  resource "aws_route53_record" "fake" {
    weighted_routing_policy { weight = 1 }
EOT
}

resource "aws_lb_listener" "front" {
  load_balancer_arn = aws_lb.main.arn
  default_action {
    type = "forward"
    forward {
      target_group {
        arn    = aws_lb_target_group.a.arn
        weight = 80
      }
      target_group {
        arn    = aws_lb_target_group.b.arn
        weight = 20
      }
    }
  }
}

resource "aws_lb_target_group_attachment" "one" {
  target_group_arn = aws_lb_target_group.a.arn
  target_id        = "i-1"
}

resource "aws_lb_target_group_attachment" "two" {
  target_group_arn = aws_lb_target_group.a.arn
  target_id        = "i-2"
}

resource "aws_lb_target_group_attachment" "many" {
  count            = 3
  target_group_arn = aws_lb_target_group.a.arn
  target_id        = "i-${count.index}"
}

resource "aws_lb_target_group_attachment" "bad\\"; touch pwned; \\"" {
  target_group_arn = aws_lb_target_group.a.arn
  target_id        = "i-9"
}
"""
NGINX_CONF = """\
http {
    # limit_req_zone $binary_remote_addr zone=old:10m rate=99r/s;
    limit_req_zone $binary_remote_addr zone=api:10m rate=100r/s;
    limit_req_zone $binary_remote_addr zone=unused:10m rate=7r/s;
    server {
        location /api/ { limit_req zone=api burst=20 nodelay; }
    }
}
"""
FILES = {
    "nginx/nginx.conf": NGINX_CONF,
    "config/app.yaml": APP_YAML,
    "config/envoy.json": ENVOY_JSON,
    "config/svc.toml": SVC_TOML,
    "infra/dns.tf": DNS_TF,
    "infra/lb.tf": LB_TF,
    "infra/solo.tf": DNS_TF.split('resource "aws_route53_record" "alone"')[1]
    .replace('"solo.example.com"', '"api.example.com"')
    .join(['resource "aws_route53_record" "eu"', ""]),
    "tests/fixtures/app.yaml": APP_YAML,  # test data, not the control surface
    "charts/web/templates/config.yaml": "rate_limit: {{ .Values.rps }}\n",
    "k8s/deploy.yaml": DEPLOYMENT.format(name="api", ns="shop", replicas=2, image="api:1"),
}

TERRAFORM = """#!/usr/bin/env python3
import json, os, sys
with open(os.environ["TF_LOG_FILE"], "a") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
sys.exit(1 if os.environ.get("TF_FAIL") else 0)
"""


@pytest.fixture
def srepo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    init_repo(root, FILES)
    return root


@pytest.fixture
def terraform(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    bin_dir = tmp_path / "tf-bin"
    bin_dir.mkdir()
    script = bin_dir / "terraform"
    script.write_text(TERRAFORM)
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    log = tmp_path / "terraform.log"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("TF_LOG_FILE", str(log))
    yield log


def tf_calls(log: Path) -> list[list[str]]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def levers_of(root: Path) -> dict[str, Lever]:
    return {lv.id: lv for lv in candidates(discover(root).surfaces)}


def plan(lever: Lever) -> dict[str, Any]:
    return {**lever.to_dict(), "params": lever.params}


def ctx(root: Path) -> Ctx:
    return Ctx(Executor(timeout=20), root)


def test_config_switches_are_found_with_kind_and_exact_edit(srepo: Path) -> None:
    found = levers_of(srepo)
    switch = {k: v for k, v in found.items() if ":switch:" in k}
    assert set(switch) == {
        "failover:switch:config/app.yaml:server.circuit_breaker.enabled",
        "scale:switch:config/app.yaml:server.rate_limit.requests_per_second",
        "scale:switch:config/app.yaml:server.load_shedding",
        f"scale:switch:config/app.yaml:{HOSTILE_KEY}.rateLimit",
        "failover:switch:config/envoy.json:clusters.0.circuit_breakers.thresholds.0",
        "scale:switch:config/svc.toml:shedding.enabled",
        "scale:switch:config/svc.toml:limits.rate_limit.limit",
        "scale:switch:nginx/nginx.conf:limit_req_zone.api",
    }
    envoy = switch["failover:switch:config/envoy.json:clusters.0.circuit_breakers.thresholds.0"]
    assert [(e["old"], e["new"]) for e in envoy.params["edits"]] == [("1024", "512"),
                                                                     ("512", "256")]  # fmt: skip
    for lever in switch.values():
        assert lever.safe and lever.executor == "switch" and lever.command.file == lever.source
        assert lever.rollback is not None and "exact previous bytes" in lever.rollback.change


@pytest.mark.parametrize(
    ("lever_id", "read", "check"),
    [
        ("failover:switch:config/app.yaml:server.circuit_breaker.enabled", yaml.safe_load,
         lambda d: d["server"]["circuit_breaker"]["enabled"] is True),
        ("scale:switch:config/app.yaml:server.rate_limit.requests_per_second", yaml.safe_load,
         lambda d: d["server"]["rate_limit"]["requests_per_second"] == 100),
        ("scale:switch:config/svc.toml:limits.rate_limit.limit", tomllib.loads,
         lambda d: d["limits"]["rate_limit"]["limit"] == 150),
        ("scale:switch:nginx/nginx.conf:limit_req_zone.api", lambda t: t,
         lambda t: "zone=api:10m rate=50r/s;" in t and "rate=99r/s" in t),
        ("failover:switch:config/envoy.json:clusters.0.circuit_breakers.thresholds.0", json.loads,
         lambda d: d["clusters"][0]["circuit_breakers"]["thresholds"][0]["max_requests"] == 256),
    ],
)  # fmt: skip
def test_apply_edits_only_the_value_and_undo_restores_bytes(
    srepo: Path, lever_id: str, read: Any, check: Any
) -> None:
    lever = levers_of(srepo)[lever_id]
    path = srepo / lever.source
    before = path.read_bytes()
    executor = FileEditExecutor()
    assert executor.check(plan(lever), ctx(srepo)).ok
    done = executor.apply(plan(lever), ctx(srepo))
    assert done.ok, done.detail
    after = path.read_text()
    assert check(read(after))
    old_lines, new_lines = before.decode().splitlines(), after.splitlines()
    changed = [(a, b) for a, b in zip(old_lines, new_lines, strict=True) if a != b]
    assert len(changed) == 1 or lever.source.endswith(".json")  # comments and layout survive
    applied = {**plan(lever), "facts": done.facts}
    undone = executor.undo(applied, ctx(srepo))
    assert undone.ok and path.read_bytes() == before


def test_stale_or_already_changed_file_is_not_viable(srepo: Path) -> None:
    lever = levers_of(srepo)["scale:switch:config/svc.toml:shedding.enabled"]
    path = srepo / "config/svc.toml"
    path.write_text(path.read_text().replace("enabled = false", "enabled = true "))
    verdict = FileEditExecutor().check(plan(lever), ctx(srepo))
    assert not verdict.ok and "changed since the levers were listed" in verdict.detail
    assert not FileEditExecutor().apply(plan(lever), ctx(srepo)).ok
    assert "enabled = true " in path.read_text()


def test_undo_refuses_when_the_file_changed_after_apply(srepo: Path) -> None:
    lever = levers_of(srepo)["scale:switch:config/app.yaml:server.load_shedding"]
    done = FileEditExecutor().apply(plan(lever), ctx(srepo))
    (srepo / "config/app.yaml").write_text("someone else edited this\n")
    undone = FileEditExecutor().undo({**plan(lever), "facts": done.facts}, ctx(srepo))
    assert not undone.ok and "by hand" in undone.detail


def test_hostile_key_is_edited_as_data(srepo: Path, terraform: Path) -> None:
    lever = levers_of(srepo)[f"scale:switch:config/app.yaml:{HOSTILE_KEY}.rateLimit"]
    done = FileEditExecutor().apply(plan(lever), ctx(srepo))
    assert done.ok and done.results == ()
    assert yaml.safe_load((srepo / "config/app.yaml").read_text())[HOSTILE_KEY]["rateLimit"] == 50
    assert not (srepo / "pwned").exists() and not Path("pwned").exists()
    assert tf_calls(terraform) == []


def test_terraform_targets_found_with_traps(srepo: Path) -> None:
    found = {k: v for k, v in levers_of(srepo).items() if ":terraform:" in k}
    targets = sorted(lv.params["key"] for lv in found.values())
    # eu's siblings live in another file of the folder; the lone record, the counted attachment, the heredoc and the bad name give no lever
    assert targets == ["aws_lb_listener.front", "aws_lb_listener.front",
                       "aws_lb_target_group_attachment.one", "aws_lb_target_group_attachment.two",
                       "aws_route53_record.blue", "aws_route53_record.eu",
                       "aws_route53_record.green"]  # fmt: skip
    for lever in found.values():
        assert lever.kind == "failover" and lever.safe
        assert "takes effect after terraform apply" in lever.evidence[0]
        argv = lever.params["apply_argv"]
        assert argv[:3] == ["terraform", "-chdir=infra", "apply"]
        assert argv[-1] == f"-target={lever.params['key']}"


def test_terraform_weight_lever_edits_then_applies_and_rolls_back(
    srepo: Path, terraform: Path
) -> None:
    lever = next(lv for lv in levers_of(srepo).values() if lv.params.get("key") ==
                 "aws_route53_record.blue")  # fmt: skip
    path = srepo / "infra/dns.tf"
    before = path.read_bytes()
    done = FileEditExecutor().apply(plan(lever), ctx(srepo))
    assert done.ok, done.detail
    text = path.read_text()
    assert "weight = 0 # most traffic" in text and "weight = 10" in text
    expected = ["-chdir=infra", "apply", "-input=false", "-auto-approve",
                "-target=aws_route53_record.blue"]  # fmt: skip
    assert tf_calls(terraform) == [expected]
    assert FileEditExecutor().undo({**plan(lever), "facts": done.facts}, ctx(srepo)).ok
    assert path.read_bytes() == before and tf_calls(terraform) == [expected, expected]


def test_failed_terraform_apply_restores_the_bytes(
    srepo: Path, terraform: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TF_FAIL", "1")
    lever = next(lv for lv in levers_of(srepo).values() if lv.params.get("key") ==
                 "aws_lb_target_group_attachment.one")  # fmt: skip
    before = (srepo / "infra/lb.tf").read_bytes()
    done = FileEditExecutor().apply(plan(lever), ctx(srepo))
    assert not done.ok and "previous bytes restored" in done.detail
    assert (srepo / "infra/lb.tf").read_bytes() == before and len(tf_calls(terraform)) == 1


def test_attachment_lever_pulls_only_its_target(srepo: Path, terraform: Path) -> None:
    lever = next(lv for lv in levers_of(srepo).values() if lv.params.get("key") ==
                 "aws_lb_target_group_attachment.one")  # fmt: skip
    assert FileEditExecutor().apply(plan(lever), ctx(srepo)).ok
    text = (srepo / "infra/lb.tf").read_text()
    one = text.split('"one" {', 1)[1].split("}", 1)[0]
    two = text.split('"two" {', 1)[1].split("}", 1)[0]
    assert "count = 0" in one and "count" not in two


def test_never_ranked_above_a_recent_change_or_faster_levers(srepo: Path) -> None:
    (srepo / "k8s/deploy.yaml").write_text(
        DEPLOYMENT.format(name="api", ns="shop", replicas=2, image="api:2"))  # fmt: skip
    commit_all(srepo, "bump api", "2026-11-20T11:50:00Z")
    onset = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    changes = git_changes(srepo, Executor(timeout=20))
    ranked = rank(mark_recent(list(levers_of(srepo).values()), changes, onset,
                              timedelta(minutes=30)))  # fmt: skip
    first = ranked[0]
    assert first.recent_change and first.kind == "rollback"
    ours = [lv for lv in ranked if lv.executor == "switch"]
    others = [lv for lv in ranked if lv.executor != "switch" and lv.safe]
    assert ours and min(lv.rank for lv in ours) > max(lv.rank for lv in others)
    assert all("takes effect" in lv.reason for lv in ours)


def test_mitigate_applies_and_undoes_a_switch_on_the_timeline(
    capsys: pytest.CaptureFixture[str], project: Path, srepo: Path
) -> None:
    app: App = lever_app(project, srepo)
    try:
        lever = "failover:switch:config/app.yaml:server.circuit_breaker.enabled"
        incident = declare(capsys, app)
        before = (srepo / "config/app.yaml").read_bytes()
        assert mitigate(capsys, app, incident, lever).code == 0
        applied = mitigate(capsys, app, incident, lever, "--apply")
        assert applied.code == 0, applied.err
        assert b"enabled: true   # flip" in (srepo / "config/app.yaml").read_bytes()
        assert events(app, incident, "lever.applied")
        assert mitigate(capsys, app, incident, "--undo").code == 0
        assert (srepo / "config/app.yaml").read_bytes() == before
    finally:
        app.close()
