"""Discovery time on a large tree, against `git ls-files` on the same tree.

Builds a git repository of N files (default 100,000: source files, a vendored folder,
manifests, charts, flag files, CI), then times `git ls-files` (the baseline: just
listing) and `stanch levers` discovery (listing + reading and parsing the candidates).
Prints both and the ratio. Run: .venv/bin/python bench/discover.py [N]
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stanch.levers.discover import discover

MANIFEST = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc-{i}
  namespace: ns-{i}
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: app
          image: reg/svc-{i}:v1
          env:
            - name: FEATURE_X_{i}
              value: "true"
"""


def build(root: Path, count: int) -> None:
    services = max(1, count // 1000)
    written = 0
    for s in range(services):
        base = root / "services" / f"svc-{s}"
        (base / "deploy").mkdir(parents=True)
        (base / "deploy" / "deployment.yaml").write_text(MANIFEST.format(i=s))
        (base / "flags.json").write_text(
            '{"flags": {"f%d": {"state": "ENABLED", "variants": {"on": true, "off": false}, '
            '"defaultVariant": "on"}}}'.replace("%d", str(s))
        )
        written += 2
    vendor = root / "vendor" / "lib"
    vendor.mkdir(parents=True)
    for i in range(count // 10):
        (vendor / f"v{i}.go").write_text("package lib\n")
    written += count // 10
    src = root / "src"
    per_dir = 500
    i = 0
    while written < count:
        folder = src / f"pkg{i // per_dir}"
        folder.mkdir(parents=True, exist_ok=True)
        suffix = (".py", ".go", ".ts", ".md", ".txt")[i % 5]
        (folder / f"m{i}{suffix}").write_text(f"# module {i}\nvalue = {i}\n")
        i += 1
        written += 1
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".github" / "workflows" / "ci.yml").write_text("on: push\njobs: {t: {}}\n")
    git = ["git", "-C", str(root)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "x"],
                   check=True)  # fmt: skip


def timed(fn: object, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory(prefix="stanch-bench-") as tmp:
        root = Path(tmp)
        print(f"building a {count:,}-file repository …", flush=True)
        build(root, count)
        baseline = timed(lambda: subprocess.run(["git", "-C", str(root), "ls-files", "-z"],
                                                capture_output=True, check=True))  # fmt: skip
        found = discover(root)
        ours = timed(lambda: discover(root))
        print(f"files: {found.files:,} listed, {len(found.surfaces):,} surfaces found")
        print(f"git ls-files:     {baseline * 1000:9.1f} ms")
        print(f"stanch discovery: {ours * 1000:9.1f} ms")
        print(f"ratio discovery / git ls-files: {ours / baseline:.1f}x")


if __name__ == "__main__":
    main()
