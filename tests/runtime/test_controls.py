"""Control logic that can be exercised without installing the process-wide audit hook."""

from __future__ import annotations

import io
import json
import os
import socket
from pathlib import Path

import pytest

from hullguard.runtime import triggers
from hullguard.runtime.controls.code import event_strings
from hullguard.runtime.controls.files import FileControl
from hullguard.runtime.controls.invokers import InvokerControl
from hullguard.runtime.controls.network import NetworkControl
from hullguard.runtime.controls.processes import ProcessControl
from hullguard.runtime.controls.tmpfs import TmpCleaner
from hullguard.runtime.hooks import Blocked
from hullguard.runtime.policy import RuntimePolicy
from hullguard.runtime.report import Reporter
from hullguard.runtime.state import STATE, Invocation
from hullguard.runtime.suggest import observe, read_events, suggest_policy

from .support import api_event, load_event


def reporter() -> tuple[Reporter, io.StringIO]:
    out = io.StringIO()
    return Reporter(out), out


def network(allow: list[str], **extra: object) -> NetworkControl:
    policy = RuntimePolicy.from_dict({"network": {"allow": allow, **extra}})
    return NetworkControl(policy.network, reporter()[0], region="eu-west-1")


def test_destinations_are_judged_by_the_name_that_was_resolved():
    control = network(["api.example.com:443", "*.example.org", "10.1.0.0/16"])
    control.learn("api.example.com", [(socket.AF_INET, 1, 6, "", ("203.0.113.5", 443))])
    control.learn("cdn.example.org.", [(socket.AF_INET, 1, 6, "", ("198.51.100.9", 443))])
    assert control.judge("203.0.113.5", 443)[0] == "allow"
    assert control.judge("203.0.113.5", 80) == ("block", "", "network.allow")  # wrong port
    assert control.judge("198.51.100.9", 8443)[0] == "allow"  # suffix, any port
    assert control.judge("10.1.2.3", 5432)[0] == "allow"  # CIDR
    assert control.judge("10.2.0.1", 5432)[2] == "network.allow"
    assert control.judge("169.254.169.254", 80) == ("block", "169.254.0.0/16", "network.metadata")
    assert control.judge("::ffff:169.254.169.254", 80)[2] == "network.metadata"  # IPv4-mapped IPv6
    for spelled in ("2852039166", "0xa9fea9fe", "0251.0376.0251.0376"):  # what connect() lets libc read
        assert control.judge(spelled, 80) == ("block", "169.254.0.0/16", "network.metadata")
    control.learn("dynamodb.eu-west-1.amazonaws.com", [(socket.AF_INET, 1, 6, "", ("52.94.1.1", 443))])
    assert control.judge("52.94.1.1", 443)[0] == "allow"  # aws_endpoints for the function's region
    control.learn("dynamodb.us-east-1.amazonaws.com", [(socket.AF_INET, 1, 6, "", ("52.94.2.2", 443))])
    assert control.judge("52.94.2.2", 443)[0] == "block"  # another region is not "ours"


def test_an_ip_literal_forgets_the_name_learned_before():
    control = network(["localhost:8080"])
    control.learn("localhost", [(socket.AF_INET, 1, 6, "", ("127.0.0.1", 8080))])
    assert control.judge("127.0.0.1", 8080)[0] == "allow"
    control.learn("127.0.0.1", [(socket.AF_INET, 1, 6, "", ("127.0.0.1", 8080))])
    assert control.judge("127.0.0.1", 8080)[0] == "block"


def test_unlisted_names_are_refused_before_any_dns_query(monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_RUNTIME_API", "localhost:9001")
    rep, out = reporter()
    policy = RuntimePolicy.from_dict({"network": {"allow": ["api.example.com:443", "*.example.org"]}})
    control = NetworkControl(policy.network, rep, region="eu-west-1")
    for allowed in ("api.example.com", "cdn.example.org", "sqs.eu-west-1.amazonaws.com", "localhost", "10.0.0.1"):
        control.before_resolve(allowed, 443)
    with pytest.raises(Blocked):
        control.before_resolve("c2VjcmV0.attacker.example", 53)
    event = json.loads(out.getvalue())
    assert event["unmapped"]["location"] == "c2vjcmv0.attacker.example:53"
    with_cidr = RuntimePolicy.from_dict({"network": {"allow": ["api.example.com", "10.0.0.0/8"]}})
    NetworkControl(with_cidr.network, rep).before_resolve("anything.example", 443)  # a CIDR might allow it


def test_runtime_api_is_always_allowed(monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001")
    control = network(["api.example.com"])
    assert control.judge("127.0.0.1", 9001) == ("allow", "", "")
    assert control.judge("127.0.0.1", 9002)[0] == "block"


@pytest.mark.parametrize(("entry", "executable", "words", "allowed"), [
    ("convert", "/usr/bin/convert", ["convert", "a.jpg", "b.png"], True),
    ("/usr/bin/convert", "/usr/bin/convert", ["convert"], True),
    ("convert", "/bin/sh", ["/bin/sh", "-c", "convert a.jpg b.png; id"], False),  # a shell is not convert
    ("convert *.jpg *.png", "/bin/sh", ["/bin/sh", "-c", "convert a.jpg b.png"], True),
    ("git rev-parse *", "/usr/bin/git", ["git", "rev-parse", "HEAD"], True),
    ("git rev-parse *", "/usr/bin/git", ["git", "push"], False),
])
def test_process_allow_list(entry, executable, words, allowed):
    policy = RuntimePolicy.from_dict({"processes": {"allow": [entry]}})
    assert ProcessControl(policy.processes, reporter()[0]).allowed(executable, words) is allowed


def test_event_strings_include_json_inside_the_body():
    event = api_event({"action": "calc", "expr": "__import__('os').system('id')"})
    leaves = event_strings(event)
    assert "__import__('os').system('id')" in leaves and "calc" in leaves
    assert "Hello from Lambda!" not in leaves  # the sample's own body was replaced


def test_triggers_and_sources_of_real_events():
    sqs = load_event("sqsEvent.json")
    assert triggers.classify(sqs) == "sqs"
    arns, accounts = triggers.sources(sqs)
    assert arns == ["arn:aws:sqs:us-east-2:123456789012:my-queue"] and accounts == ["123456789012"]
    assert triggers.classify(api_event()) == "api-gateway-rest"
    assert triggers.quick_classify(api_event()) == "api-gateway-rest"
    assert triggers.quick_classify(load_event("apiGatewayProxyV2Event.json")) == "api-gateway-http"
    assert triggers.quick_classify(load_event("s3Event.json")) == "s3"
    assert triggers.quick_classify(load_event("eventBridgeEvent.json")) == "eventbridge"
    fixture = Path(__file__).parents[1] / "fixtures/events/hullguard/appSyncEventsPublishEvent.json"
    published = json.loads(fixture.read_text())
    assert triggers.classify(published) == triggers.quick_classify(published) == "appsync-events"


def test_a_pipes_batch_names_its_source_queue():
    batch = json.loads((Path(__file__).parents[1] / "fixtures/events/hullguard/pipesSqsBatch.json").read_text())
    arns, accounts = triggers.sources(batch)
    assert arns == ["arn:aws:sqs:us-east-1:123456789012:orders"] and accounts == ["123456789012"]
    assert triggers.classify(batch) == "eventbridge-pipes"


def test_invoker_sources_and_accounts():
    policy = RuntimePolicy.from_dict({"invokers": {"sources": ["arn:aws:sqs:*:123456789012:orders-*"]}})
    control = InvokerControl(policy.invokers, reporter()[0])
    assert control.check(load_event("sqsEvent.json"), "sqs") is True  # my-queue is not orders-*
    policy = RuntimePolicy.from_dict({"invokers": {"accounts": ["123456789012"]}})
    assert InvokerControl(policy.invokers, reporter()[0]).check(load_event("sqsEvent.json"), "sqs") is False


def test_tmp_cleaner_deletes_only_what_the_invocation_created(tmp_path):
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "model.bin").write_text("kept: existed at start-up")
    policy = RuntimePolicy.from_dict({"tmp": {"cleanup": "delete", "keep": [f"{tmp_path}/keep-*"]}})
    rep, out = reporter()
    cleaner = TmpCleaner(policy.tmp, rep, str(tmp_path))
    cleaner.snapshot()
    (tmp_path / "export.csv").write_text("secret rows")
    (tmp_path / "job").mkdir()
    (tmp_path / "job" / "part.txt").write_text("x")
    (tmp_path / "keep-me").write_text("deliberate cache")
    inv = Invocation(function=None, event={}, context=None, cold_start=False)  # type: ignore[arg-type]
    inv.tmp_dirty = True
    cleaner.after(inv)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "keep-me"]
    assert (tmp_path / "cache" / "model.bin").exists()
    event = json.loads(out.getvalue())
    assert event["finding_info"]["analytic"]["uid"] == "HG-RT-TMP-003"
    assert sorted(event["unmapped"]["detail"]["deleted"]) == sorted(
        [str(tmp_path / "export.csv"), str(tmp_path / "job"), str(tmp_path / "job" / "part.txt")])


def test_suggest_builds_a_valid_least_privilege_policy():
    lines = []
    for observed in (
        {"kind": "host", "value": "api.stripe.com:443", "host": "api.stripe.com", "port": 443},
        {"kind": "host", "value": "s3.eu-west-1.amazonaws.com:443", "host": "s3.eu-west-1.amazonaws.com", "port": 443},
        *({"kind": "host", "value": f"n{i}.example.org:443", "host": f"n{i}.example.org", "port": 443}
          for i in range(3)),
        {"kind": "process", "value": "convert", "executable": "/usr/bin/convert"},
        {"kind": "file", "value": "write:/tmp/exports/a.csv", "path": "/tmp/exports/a.csv", "access": "write"},
        {"kind": "pickle", "value": "collections.OrderedDict"},
        {"kind": "trigger", "value": "api-gateway-rest"},
        {"kind": "dynamic-code", "value": "eval-of-event-data"},
    ):
        event = {"schema": "hullguard.event/1", "unmapped": {"source": "runtime", "detail": {"observed": observed}}}
        lines.append("2026-11-28T10:00:00Z\treq-1\t" + json.dumps(event, separators=(",", ":")))
    observations = observe(read_events(lines))
    text = suggest_policy(observations, "events.jsonl")
    import yaml

    policy = RuntimePolicy.from_dict(yaml.safe_load(text))
    assert sorted(r.text for r in policy.network.allow) == ["*.example.org:443", "api.stripe.com:443"]
    assert policy.network.aws_endpoints is True and policy.network.action == "block"
    assert policy.processes.allow == ("/usr/bin/convert",)
    assert policy.tmp.allow == ("/tmp/exports/*",) and policy.tmp.write == "block"
    assert policy.code.pickle_allow == ("collections.OrderedDict",) and policy.code.event_eval == "block"
    assert policy.invokers.triggers == ("api-gateway-rest",)
    assert "fix the code, do not allow it" in text


def test_when_imported_patches_right_after_the_first_import(tmp_path, monkeypatch):
    from hullguard.runtime import hooks, imports

    (tmp_path / "hg_late_module.py").write_text("VALUE = 1\n")
    (tmp_path / "hg_broken_patch.py").write_text("VALUE = 2\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    seen: list[int] = []
    imports.when_imported("hg_late_module", lambda module: seen.append(module.VALUE))
    assert imports.pending("hg_late_module") and seen == []  # nothing imported on our behalf
    import hg_late_module  # type: ignore[import-not-found]

    assert seen == [1] and not imports.pending("hg_late_module")
    assert "exec_module" not in vars(hg_late_module.__spec__.loader)  # the loader got its own method back
    imports.when_imported("hg_late_module", lambda module: seen.append(module.VALUE + 10))
    assert seen == [1, 11]  # already loaded: at once

    errors: list[str] = []
    monkeypatch.setattr(hooks, "_on_error", lambda where, exc: errors.append(where) or False)

    def broken(module: object) -> None:
        raise RuntimeError("bug in a patch")

    imports.when_imported("hg_broken_patch", broken)
    import hg_broken_patch  # type: ignore[import-not-found]

    assert hg_broken_patch.VALUE == 2 and errors == ["import hook for hg_broken_patch"]  # import unharmed
    assert all(type(f).__name__ != "_AfterImport" for f in __import__("sys").meta_path)  # nothing pending


def test_tmp_creations_seen_by_the_hooks_are_deleted_without_walking_tmp(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "model.bin").write_text("start-up")
    outside = tmp_path.parent / f"{tmp_path.name}-outside"  # not under the cleaner's root
    outside.mkdir()
    policy = RuntimePolicy.from_dict({"tmp": {"cleanup": "delete"}})
    rep, out = reporter()
    cleaner = TmpCleaner(policy.tmp, rep, str(tmp_path))
    cleaner.snapshot()
    files = FileControl(policy.files, policy.tmp, rep, "", str(tmp_path))
    inv = Invocation(function=None, event={}, context=None, cold_start=False)  # type: ignore[arg-type]
    monkeypatch.setattr(STATE, "invocation", inv)
    create = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    # each hook runs before the operation, as the audit event does
    files.on_open((str(cache / "new.bin"), "w", create))
    (cache / "new.bin").write_text("left by the invocation")
    files.on_open((str(cache / "model.bin"), "w", create))  # existed at start-up: rewritten, not created
    (cache / "model.bin").write_text("rewritten")
    monkeypatch.chdir(cache)
    files.on_mkdir(("run", 0o777, None))  # relative to the working directory
    (cache / "run").mkdir()
    (cache / "run" / "part.txt").write_text("inside a directory the invocation created")
    files.on_symlink((str(outside), str(cache / "link"), None))
    (cache / "link").symlink_to(outside)
    files.on_open((str(cache / "link" / "victim"), "w", create))
    (outside / "victim").write_text("outside the root: never deleted through the link")
    monkeypatch.setattr(STATE, "invocation", None)
    cleaner.after(inv)
    assert sorted(p.name for p in cache.iterdir()) == ["model.bin"]
    assert (cache / "model.bin").read_text() == "rewritten" and (outside / "victim").exists()
    event = json.loads(out.getvalue())
    assert sorted(event["unmapped"]["detail"]["deleted"]) == sorted(
        str(cache / name) for name in ("link", "new.bin", "run", "run/part.txt"))


def test_proc_paths_are_recognised_as_the_former_regular_expressions_did():
    """The /proc matcher splits paths instead of compiling patterns at cold start; the patterns it
    replaced are the oracle over every combination of the parts that matter."""
    import itertools
    import re

    from hullguard.runtime.controls.files import is_indirect, is_secret

    secrets = re.compile(r"/proc/(?:self|thread-self|\d+)(?:/task/\d+)?/(?:environ|mem|auxv|stack|syscall|"
                         r"pagemap|mountinfo|maps|smaps|map_files)(?:/|$)")
    indirect = re.compile(r"/(?:proc/(?:self|thread-self|\d+)(?:/task/\d+)?/(?:root|cwd|fd|exe)|dev/fd)(?:/|$)")
    starts = ["/proc/", "/dev/", "/proc", "/sys/", "/tmp/proc/"]
    pids = ["self", "thread-self", "12", "", "selfx", "1a", "٣"]  # the last: an Arabic-Indic digit, as \\d allows
    middles = ["", "/task/13", "/task", "/task/x", "/task/13/task/14"]
    names = ["environ", "mem", "maps", "map_files", "root", "cwd", "fd", "exe", "status", "environx", "", "task"]
    tails = ["", "/", "/x", "x"]
    paths = ["/dev/fd", "/dev/fd/3", "/dev/fdx", "/proc/self/environ/../x"]
    for start, pid, middle, name, tail in itertools.product(starts, pids, middles, names, tails):
        paths.append(f"{start}{pid}{middle}/{name}{tail}")
    for path in paths:
        assert is_secret(path) == bool(secrets.match(path)), path
        assert is_indirect(path) == bool(indirect.match(path)), path


def test_tmp_cleaner_goes_by_path_when_its_descriptor_was_closed_and_reused(tmp_path):
    root = tmp_path / "tmp"
    root.mkdir()
    policy = RuntimePolicy.from_dict({"tmp": {"cleanup": "delete"}})
    rep, _ = reporter()
    cleaner = TmpCleaner(policy.tmp, rep, str(root))
    cleaner.snapshot()
    os.close(cleaner._fd)  # the function's code closes descriptors it does not own ...
    other = os.open(str(tmp_path), os.O_RDONLY)  # ... and the number comes back for another directory
    try:
        (root / "native.db").write_text("created where no hook saw it")  # only /tmp's mtime tells
        inv = Invocation(function=None, event={}, context=None, cold_start=False)
        cleaner.after(inv)
        assert not (root / "native.db").exists()
        assert os.fstat(other).st_ino == tmp_path.stat().st_ino  # the other owner's descriptor is untouched
    finally:
        os.close(other)


def test_tmp_creations_noted_per_invocation_are_bounded(tmp_path, monkeypatch):
    from hullguard.runtime.controls import files as files_module

    monkeypatch.setattr(files_module, "MAX_TRACKED", 3)
    policy = RuntimePolicy.from_dict({"tmp": {"cleanup": "delete"}})
    rep, _ = reporter()
    files = FileControl(policy.files, policy.tmp, rep, "", str(tmp_path))
    inv = Invocation(function=None, event={}, context=None, cold_start=False)
    monkeypatch.setattr(STATE, "invocation", inv)
    create = os.O_WRONLY | os.O_CREAT
    for _ in range(50):  # the same file created and removed in a loop is noted once
        files.on_open((str(tmp_path / "spool"), "w", create))
    assert inv.tmp_created == {str(tmp_path / "spool")} and not inv.tmp_dirty
    for i in range(5):
        files.on_open((str(tmp_path / f"part{i}"), "w", create))
    assert len(inv.tmp_created) == 3 and inv.tmp_dirty  # bounded; the cleaner compares the top level instead
