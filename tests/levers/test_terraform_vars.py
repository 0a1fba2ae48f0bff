"""Terraform weights given as `var.NAME`: the lever edits where the value really comes from."""

from __future__ import annotations

from pathlib import Path

from stanch.levers.file_edit import FileEditExecutor
from stanch.levers.terraform_levers import surfaces
from tests.levers.repos import init_repo
from tests.levers.test_switches import ctx, levers_of, plan, terraform, tf_calls

__all__ = ["terraform"]  # the fixture, used by name

RECORDS = """\
resource "aws_route53_record" "blue" {
  name           = "api.example.com"
  set_identifier = "blue"
  weighted_routing_policy {
    weight = var.blue_weight
  }
}

resource "aws_route53_record" "green" {
  name           = "api.example.com"
  set_identifier = "green"
  weighted_routing_policy {
    weight = var.green_weight
  }
}

resource "aws_lb_listener" "front" {
  default_action {
    type = "forward"
    forward {
      target_group {
        arn    = aws_lb_target_group.a.arn
        weight = var.shared
      }
      target_group {
        arn    = aws_lb_target_group.b.arn
        weight = var.shared
      }
      target_group {
        arn    = aws_lb_target_group.c.arn
        weight = var.missing
      }
    }
  }
}
"""
VARIABLES = """\
variable "blue_weight" {
  type    = number
  default = 90 # most traffic
}

variable "green_weight" {
  default = 5
}

variable "shared" {
  default = 50
}
"""
FILES = {
    "infra/dns.tf": RECORDS,
    "infra/variables.tf": VARIABLES,
    "infra/terraform.tfvars": "green_weight = 10\n",
    "infra/prod.auto.tfvars": "# set by the release pipeline\ngreen_weight = 20\n",
    "infra/broken.tf": 'resource "aws_route53_record" "x" {\n  weight = \n',
}


def make(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    init_repo(root, FILES)
    return root


def test_variable_weights_edit_the_default_or_the_winning_tfvars(tmp_path: Path) -> None:
    root = make(tmp_path)
    found = {lv.params["key"]: lv for lv in levers_of(root).values() if ":terraform:" in lv.id}
    # a variable two weights share, and an unknown one, offer nothing; a broken file is skipped
    assert sorted(found) == ["aws_route53_record.blue", "aws_route53_record.green"]
    blue, green = found["aws_route53_record.blue"], found["aws_route53_record.green"]
    assert blue.params["file"] == "infra/variables.tf"
    assert blue.params["edits"] == [{"offset": VARIABLES.index("90"), "old": "90", "new": "0"}]
    assert "weight via var.blue_weight (default in infra/variables.tf) 90 → 0" in blue.evidence[1]
    # *.auto.tfvars wins over terraform.tfvars, which wins over the default
    assert green.params["file"] == "infra/prod.auto.tfvars"
    assert "var.green_weight (value in infra/prod.auto.tfvars) 20 → 0" in green.evidence[1]
    assert green.target == "aws_route53_record.green in infra/dns.tf"
    assert green.params["apply_argv"][1] == "-chdir=infra"


def test_variable_weight_lever_applies_and_undoes_in_the_variables_file(
    tmp_path: Path, terraform: Path
) -> None:
    root = make(tmp_path)
    blue = next(lv for lv in levers_of(root).values() if lv.params.get("key") ==
                "aws_route53_record.blue")  # fmt: skip
    path = root / "infra/variables.tf"
    before = path.read_bytes()
    done = FileEditExecutor().apply(plan(blue), ctx(root))
    assert done.ok, done.detail
    assert "default = 0 # most traffic" in path.read_text()
    assert (root / "infra/dns.tf").read_text() == RECORDS
    assert tf_calls(terraform)[0][-1] == "-target=aws_route53_record.blue"
    assert FileEditExecutor().undo({**plan(blue), "facts": done.facts}, ctx(root)).ok
    assert path.read_bytes() == before


def test_a_changed_variables_file_is_not_viable(tmp_path: Path) -> None:
    root = make(tmp_path)
    blue = next(lv for lv in levers_of(root).values() if lv.params.get("key") ==
                "aws_route53_record.blue")  # fmt: skip
    (root / "infra/variables.tf").write_text(VARIABLES.replace("90", "95"))
    check = FileEditExecutor().check(plan(blue), ctx(root))
    assert not check.ok


def test_only_tf_files_are_surfaces() -> None:
    found = surfaces({"infra/dns.tf": RECORDS, "infra/variables.tf": VARIABLES,
                      "infra/terraform.tfvars": "green_weight = 10\n"})  # fmt: skip
    assert [s.path for s in found] == ["infra/dns.tf"]
