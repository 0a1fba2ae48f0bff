"""A GitOps-managed target: reconciliation is suspended before the lever, resumed after undo."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.levers.conftest import Kube, lever_app
from tests.levers.repos import DEPLOYMENT, init_repo
from tests.levers.test_mitigate import declare, mitigate

FILES = {
    "clusters/prod/shop.yaml": "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n"
    "metadata:\n  name: shop\n  namespace: flux-system\nspec:\n  path: ./apps/shop\n",
    "apps/shop/checkout.yaml": DEPLOYMENT.format(
        name="checkout", ns="  namespace: shop\n", replicas=3, image="reg/checkout:v41"
    ),
}


def test_flux_suspended_first_and_resumed_after_undo(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, project: Path, kube: Kube
) -> None:
    repo = tmp_path / "gitops-repo"
    repo.mkdir()
    init_repo(repo, FILES)
    app = lever_app(project, repo)
    try:
        incident = declare(capsys, app)
        lever = "rollback:deployment:checkout@shop"
        planned = mitigate(capsys, app, incident, lever)
        assert "first:    flux suspend kustomization shop -n flux-system" in planned.out
        assert mitigate(capsys, app, incident, lever, "--apply").code == 0
        assert kube.mutations() == [
            ["flux", "suspend", "kustomization", "shop", "-n", "flux-system"],
            ["kubectl", "rollout", "undo", "deployment/checkout", "-n", "shop",
             "--to-revision=2"],
        ]  # fmt: skip
        assert mitigate(capsys, app, incident, "--undo").code == 0
        assert kube.mutations()[-2:] == [
            ["kubectl", "rollout", "undo", "deployment/checkout", "-n", "shop",
             "--to-revision=3"],
            ["flux", "resume", "kustomization", "shop", "-n", "flux-system"],
        ]  # fmt: skip
        assert kube.state()["suspended"] == {"kustomization/shop": False}
    finally:
        app.close()
