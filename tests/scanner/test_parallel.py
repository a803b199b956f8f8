"""A scan split over worker processes gives exactly the serial scan's report, and a dying worker
becomes a problem naming its files instead of a crash."""

from __future__ import annotations

import multiprocessing
import os
import shutil
from pathlib import Path

import pytest
from scanner_testutil import EXAMPLES, FIXTURES, OSV_DB, TODAY
from typer.testing import CliRunner

from hullguard.cli.main import app
from hullguard.scanner import parallel
from hullguard.scanner.loaders import Candidate, Problem, load_candidate
from hullguard.scanner.reporters import render
from hullguard.scanner.scan import scan

runner = CliRunner()


def multi_app_tree(root: Path, copies: int = 4) -> Path:
    """``copies`` services (serverless.yml + SAM template + shared code each), a Terraform module,
    an app including another file with ${file(...)}, and a malformed template."""
    for index in range(copies):
        service = root / f"service-{index}"
        shutil.copytree(EXAMPLES / "vulnerable", service, ignore=shutil.ignore_patterns("expected-findings.txt"))
        sls = service / "serverless.yml"
        sls.write_text(sls.read_text().replace("service: orders", f"service: orders-{index}"))
    shutil.copytree(FIXTURES / "loaders" / "terraform", root / "infra")
    shutil.copytree(FIXTURES / "loaders" / "sls-include", root / "included")
    (root / "broken").mkdir()
    (root / "broken" / "template.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources: [\n")
    return root


def test_serial_and_parallel_scans_write_identical_json(tmp_path: Path) -> None:
    tree = multi_app_tree(tmp_path / "tree")
    outputs = {}
    for jobs in ("1", "2", None):
        out = tmp_path / f"report-{jobs}.json"
        args = ["scan", str(tree), "--format", "json", "--output", str(out), "--osv-db", str(OSV_DB), "--no-progress"]
        result = runner.invoke(app, args + (["--jobs", jobs] if jobs else []))
        assert result.exit_code == 1, result.output
        outputs[jobs] = out.read_text()
    assert outputs["1"] == outputs["2"] == outputs[None]
    assert '"rule_id": "HG-SEC-002"' in outputs["1"]  # secrets in code shared by two apps: reported once
    assert "broken/template.yaml" in outputs["1"]  # the malformed template is a problem in both


def test_parallel_scan_keeps_order_suppressions_and_problems(tmp_path: Path) -> None:
    tree = multi_app_tree(tmp_path / "tree", copies=5)
    serial = scan(tree, osv_db=OSV_DB, today=TODAY, jobs=1)
    pooled = scan(tree, osv_db=OSV_DB, today=TODAY, jobs=3)
    assert [a.template for a in pooled.applications] == [a.template for a in serial.applications]
    assert [f.to_dict() for f in pooled.findings] == [f.to_dict() for f in serial.findings]
    assert [(f.fingerprint, r) for f, r in pooled.suppressed] == [(f.fingerprint, r) for f, r in serial.suppressed]
    assert pooled.all_problems == serial.all_problems
    assert render(pooled.findings, "sarif", tree) == render(serial.findings, "sarif", tree)
    # Secrets in a service's code are reported for its first app only, not once per app using the code.
    owners: dict[str, set[str]] = {}
    for finding in serial.findings:
        if finding.rule_id == "HG-SEC-002":
            owners.setdefault(finding.file, set()).add(finding.application)
    assert len(owners) >= 5 and all(len(apps) == 1 for apps in owners.values())


def test_worker_count_is_bounded_and_automatic_only_on_large_trees_with_idle_cpus() -> None:
    cpus = os.cpu_count() or 1
    assert parallel.worker_count(None, parallel.MIN_INPUTS_FOR_POOL - 1, load=0.0) == 1
    assert parallel.worker_count(None, 100, load=0.0) == min(cpus, 100)
    assert parallel.worker_count(None, 100, load=float(cpus)) == 1  # every CPU busy: no pool
    assert parallel.worker_count(None, 100, load=0.6) == max(1, cpus - 1)  # one CPU busy elsewhere
    assert parallel.worker_count(4, 2) == 2
    assert parallel.worker_count(1, 100) == 1


def test_jobs_below_one_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["scan", str(EXAMPLES / "vulnerable"), "--jobs", "0"])
    assert result.exit_code == 2
    assert "--jobs must be at least 1" in result.output


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork to inject a fault")
def test_a_dying_worker_becomes_a_problem_naming_its_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tree = multi_app_tree(tmp_path / "tree", copies=2)
    real_load = load_candidate

    def die_on_sam(candidate: Candidate, base: Path) -> tuple[object, list[Problem]]:
        if candidate.path == tree / "service-1" / "template.yaml":
            os._exit(3)  # the worker process dies without a Python exception
        return real_load(candidate, base)

    monkeypatch.setattr(parallel, "load_candidate", die_on_sam)
    monkeypatch.setattr(parallel, "_context", lambda: multiprocessing.get_context("fork"))
    report = scan(tree, osv_db=OSV_DB, today=TODAY, jobs=2)
    problems = "\n".join(report.all_problems)
    assert "service-1/template.yaml" in problems
    assert "worker failed" in problems
