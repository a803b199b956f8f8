"""Least-privilege IAM benchmark: precision, recall and resource narrowness of `gen-roles` on the
hand-labelled corpus in bench/iam/, speed on a generated 100-function project, and the same
functions through puresec-cli and iam-policy-autopilot where they run offline.

    .venv/bin/python bench/bench_iam.py [--corpus bench/iam] [--no-peers]

Each case in bench/iam/<case>/ is a function's code plus case.json: runtime, handler, environment
(as a template loader resolves it: literals and ${Logical} references), template resources,
triggers, DLQ/destinations, tracing, VPC, and "expected": every IAM action the function needs with
the narrowest resources that work, written by hand. Every function also needs its own log group
(logs:CreateLogGroup, CreateLogStream, PutLogEvents on /aws/lambda/<name>); the benchmark adds
that expectation itself so the case files stay about code.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from hullguard.iam.generate import generate_function  # noqa: E402
from hullguard.model.app import Application, Function, Resource, Trigger  # noqa: E402

LOGS = ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")
PEERS = ROOT / "bench" / ".peers"
# Peers must not reach the internet (puresec-cli checks its version at cli.puresec.io, iam-policy-autopilot
# fetches AWS's service reference): every HTTP(S) request goes to a closed loopback port and fails at once.
NO_INTERNET = {"http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9",
               "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
               "no_proxy": "127.0.0.1,localhost", "NO_PROXY": "127.0.0.1,localhost"}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class Case:
    name: str
    directory: Path
    spec: dict[str, Any]

    @property
    def language(self) -> str:
        return "Node.js" if str(self.spec.get("runtime", "")).startswith("nodejs") else "Python"

    def expected(self) -> dict[str, set[str]]:
        out = {a: set(r) for a, r in self.spec["expected"].items()}
        group = ("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/"
                 f"{self.spec['name']}:*")
        for action in LOGS:
            out.setdefault(action, set()).add(group)
        return out


def load_cases(corpus: Path) -> list[Case]:
    return [Case(d.name, d, json.loads((d / "case.json").read_text())) for d in sorted(corpus.iterdir())
            if (d / "case.json").is_file()]


def build(case: Case, corpus: Path) -> tuple[Application, Function]:
    spec = case.spec
    app = Application(name=case.name, root=str(corpus), format=spec.get("format", "sam"))
    for res in spec.get("resources", []):
        app.resources.append(Resource(res["logical_id"], res["type"], dict(res.get("properties", {}))))
    fn = Function(logical_id=case.name, name=spec["name"], runtime=spec["runtime"], handler=spec["handler"],
                  code_path=case.name, environment=dict(spec.get("environment", {})),
                  tracing=spec.get("tracing"), vpc=spec.get("vpc"), dlq=spec.get("dlq"),
                  destinations=dict(spec.get("destinations", {})))
    for trig in spec.get("triggers", []):
        fn.triggers.append(Trigger(kind=trig["kind"], source_arn=trig.get("source_arn"),
                                   on_failure=trig.get("on_failure")))
    app.functions.append(fn)
    return app, fn


def _pattern(resource: str) -> str:
    return re.sub(r"\$\{[^}]*\}", "*", resource)


def covers(granted: str, needed: str) -> bool:
    if granted == "*" or granted == needed:
        return True
    return fnmatch.fnmatchcase(needed, _pattern(granted)) or fnmatch.fnmatchcase(_pattern(needed), _pattern(granted))


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    narrow: int = 0
    broader: int = 0
    breaking: int = 0  # generated resources that do not cover what the code needs
    misses: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)
    not_narrow: list[str] = field(default_factory=list)

    def add(self, case: str, expected: dict[str, set[str]], generated: dict[str, set[str]]) -> None:
        exp = {a.lower(): (a, r) for a, r in expected.items()}
        gen = {a.lower(): (a, r) for a, r in generated.items()}
        for key, (action, resources) in exp.items():
            if key not in gen:
                self.fn += 1
                self.misses.append(f"{case}: {action}")
                continue
            self.tp += 1
            got = gen[key][1]
            if got == resources:
                self.narrow += 1
            elif all(any(covers(g, r) for g in got) for r in resources):
                self.broader += 1
                self.not_narrow.append(f"{case}: {action} on {sorted(got)} (narrowest: {sorted(resources)})")
            else:
                self.breaking += 1
                self.not_narrow.append(f"{case}: {action} on {sorted(got)} does not cover {sorted(resources)}")
        for key, (action, _) in gen.items():
            if key not in exp:
                self.fp += 1
                self.extras.append(f"{case}: {action}")

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0


def run_hullguard(cases: list[Case], corpus: Path) -> tuple[Score, dict[str, Score], float, int, dict[str, list[str]]]:
    """Scores, time, note count, and the actions each function got from grants inferred for calls
    chosen at run time (the statements marked ``ReviewInferred``)."""
    score = Score()
    by_language: dict[str, Score] = {}
    inferred: dict[str, list[str]] = {}
    notes = 0
    started = time.perf_counter()
    for case in cases:
        app, fn = build(case, corpus)
        policy = generate_function(app, fn, corpus)
        notes += len(policy.notes)
        generated: dict[str, set[str]] = {}
        for need in policy.needs:
            generated.setdefault(need.action, set()).add(need.resource)
        marked = sorted({a for s in policy.statements() if "Sid" in s for a in s["Action"]})
        if marked:
            inferred[case.name] = marked
        for resources in generated.values():
            if "*" in resources:
                resources.intersection_update({"*"})
        score.add(case.name, case.expected(), generated)
        by_language.setdefault(case.language, Score()).add(case.name, case.expected(), generated)
    return score, by_language, time.perf_counter() - started, notes, inferred


# -- speed ---------------------------------------------------------------------------------------------
def make_project(cases: list[Case], target: Path, count: int = 100) -> None:
    """A SAM project of ``count`` functions, cycling through the corpus code."""
    lines = ["AWSTemplateFormatVersion: '2010-09-09'", "Transform: AWS::Serverless-2016-10-31", "Resources:"]
    for index in range(count):
        case = cases[index % len(cases)]
        code = target / f"fn{index:03d}"
        shutil.copytree(case.directory, code, ignore=shutil.ignore_patterns("case.json"))
        lines += [f"  Fn{index:03d}:", "    Type: AWS::Serverless::Function", "    Properties:",
                  f"      CodeUri: fn{index:03d}/", f"      Handler: {case.spec['handler']}",
                  f"      Runtime: {case.spec['runtime']}"]
        env = {k: v for k, v in case.spec.get("environment", {}).items() if "${" not in v}
        if env:
            lines += ["      Environment:", "        Variables:"]
            lines += [f"          {k}: {json.dumps(v)}" for k, v in env.items()]
    (target / "template.yaml").write_text("\n".join(lines) + "\n")


def speed(cases: list[Case]) -> tuple[float, float, int, float, float]:
    """Wall time and CPU time of the CLI on a 100-function project, and in-process CPU time of its two
    parts: loading the template (scanner loaders, SAM translation) and generating the policies."""
    import resource

    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        make_project(cases, project)
        cli = ROOT / ".venv" / "bin" / "hullguard"
        command = [str(cli)] if cli.exists() else [sys.executable, "-m", "hullguard"]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        proc = subprocess.run([*command, "gen-roles", str(project), "--format", "json", "-q"], capture_output=True,
                              text=True, cwd=ROOT)
        elapsed = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        try:
            functions = len(json.loads(proc.stdout))
        except json.JSONDecodeError:
            functions = 0
        from hullguard.iam.generate import generate_applications
        from hullguard.iam.operations import catalog
        from hullguard.scanner.loaders import load_applications

        started = time.process_time()
        loaded = load_applications(project)
        loading = time.process_time() - started
        started = time.process_time()
        catalog()  # already loaded by the corpus run in this process: counted by the CLI figures above
        generate_applications(loaded.applications, project)
        generating = time.process_time() - started
        return elapsed, cpu, functions, loading, generating


# -- peers ------------------------------------------------------------------------------------------
def ensure_venv(name: str, package: str) -> Path | None:
    venv = PEERS / name
    python = venv / "bin" / "python"
    if not python.exists():
        log(f"installing {package} into {venv}")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=False)
    pip = venv / "bin" / "pip"
    check = subprocess.run([str(pip), "show", package], capture_output=True, text=True)
    if check.returncode != 0:
        proc = subprocess.run([str(pip), "install", "-q", package], capture_output=True, text=True, timeout=600)
        if proc.returncode != 0:
            log(f"{package}: install failed: {proc.stderr.strip()[-500:]}")
            return None
    return venv


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _moto_server() -> tuple[subprocess.Popen[bytes], int] | None:
    """puresec-cli asks STS for the account id; a local moto server answers (no AWS account)."""
    binary = ROOT / ".venv" / "bin" / "moto_server"
    if not binary.exists():
        return None
    port = _free_port()
    proc = subprocess.Popen([str(binary), "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    import urllib.request

    for _ in range(60):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/", timeout=1)
            return proc, port
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    return None


def _policy_actions(text: str) -> dict[str, set[str]]:
    """Actions of the role policies (not the trust policy) in puresec-cli's CloudFormation output."""
    import yaml

    out: dict[str, set[str]] = {}
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError:
        return _actions_from_text(text)
    for resource in ((doc or {}).get("Resources") or {}).values():
        for policy in (resource.get("Properties") or {}).get("Policies") or []:
            for statement in (policy.get("PolicyDocument") or {}).get("Statement") or []:
                actions = statement.get("Action")
                for action in actions if isinstance(actions, list) else [actions]:
                    out.setdefault(str(action), set()).add(str(statement.get("Resource")))
    return out


def run_puresec(cases: list[Case]) -> tuple[Score | None, str]:
    venv = ensure_venv("puresec", "puresec-cli")
    if venv is None:
        return None, "could not be installed"
    server = _moto_server()
    if server is None:
        return None, "needs an STS endpoint for the account id; moto_server did not start"
    proc_server, port = server
    binary = venv / "bin" / "puresec"
    score = Score()
    failures: list[str] = []
    try:
        for case in cases:
            runtime = "nodejs" if case.language == "Node.js" else "python"
            with tempfile.TemporaryDirectory() as tmp:
                project = Path(tmp) / case.name
                shutil.copytree(case.directory, project, ignore=shutil.ignore_patterns("case.json"))
                # puresec-cli reads this marker at import time; without it, it uploads usage statistics
                (Path(tmp) / ".puresec").mkdir()
                (Path(tmp) / ".puresec" / "stats-disabled").touch()
                # puresec-cli runs "python"/"node" from PATH to analyse code: its own venv's python
                env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": tmp, "AWS_DEFAULT_REGION": "us-east-1",
                       "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}", **NO_INTERNET}
                env.update(dict(case.spec.get("environment", {}).items()))
                try:
                    proc = subprocess.run([str(binary), "gen-roles", str(project),
                                           "--provider", "aws", "--runtime", runtime,
                                           "--handler", case.spec["handler"], "--function-name", case.spec["name"],
                                           "--yes", "--no-input"],
                                          capture_output=True, text=True, timeout=60, cwd=project, env=env)
                except subprocess.TimeoutExpired:
                    failures.append(f"{case.name}: timeout")
                    continue
                generated = _policy_actions(proc.stdout)
                if proc.returncode != 0 and not generated:
                    failures.append(f"{case.name}: exit {proc.returncode}: {_last_line(proc.stderr or proc.stdout)}")
                    continue
                score.add(case.name, case.expected(), generated)
    finally:
        proc_server.terminate()
        proc_server.wait(timeout=10)
    note = f"{len(cases) - len(failures)}/{len(cases)} functions produced output (STS answered by a local moto server)"
    if failures:
        note += "; first failure: " + failures[0]
    return (score if len(failures) < len(cases) else None), note


def run_autopilot(cases: list[Case]) -> tuple[Score | None, str]:
    venv = ensure_venv("autopilot", "iam-policy-autopilot")
    if venv is None:
        return None, "could not be installed"
    binary = venv / "bin" / "iam-policy-autopilot"
    score = Score()
    failures: list[str] = []
    for case in cases:
        sources = [str(p) for p in sorted(case.directory.rglob("*")) if p.suffix in (".py", ".js", ".mjs")]
        try:
            proc = subprocess.run([str(binary), "generate-policies", *sources, "--region", "us-east-1",
                                   "--account", "123456789012", "--pretty"],
                                  capture_output=True, text=True, timeout=120,
                                  env={"PATH": "/usr/bin:/bin", "HOME": tempfile.gettempdir(),
                                       "DISABLE_IAM_POLICY_AUTOPILOT_TELEMETRY": "true", **NO_INTERNET})
        except (subprocess.TimeoutExpired, OSError) as exc:
            failures.append(f"{case.name}: {exc}")
            continue
        generated = _actions_from_text(proc.stdout)
        if proc.returncode != 0 and not generated:
            failures.append(f"{case.name}: exit {proc.returncode}: {_last_line(proc.stderr or proc.stdout)}")
            continue
        expected = {a: r for a, r in case.expected().items() if a not in LOGS}  # it does not add platform needs
        score.add(case.name, expected, generated)
    note = f"{len(cases) - len(failures)}/{len(cases)} functions produced output"
    if failures:
        note += "; first failure: " + failures[0]
    if score.tp + score.fp == 0:
        return None, (f"no policy offline: it needs AWS's service reference endpoint for every SDK call it finds "
                      f"({len(failures)} functions failed on it; the {len(cases) - len(failures)} others, aws-sdk v2 "
                      "code it does not read or dynamic calls, produced empty policies)")
    return (score if len(failures) < len(cases) else None), note


def _read_outputs(project: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in project.rglob("*") if p.is_file()
                     and p.suffix in (".yml", ".yaml", ".json") and p.name != "package.json")


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""


_ACTION = re.compile(r"\b([a-z0-9-]+:[A-Z][A-Za-z0-9*]+)\b")


def _actions_from_text(text: str) -> dict[str, set[str]]:
    """Actions named in a peer's output (JSON or YAML); resources are not compared for peers."""
    out: dict[str, set[str]] = {}
    for match in _ACTION.finditer(text):
        action = match.group(1)
        if action.split(":")[0] in ("arn", "aws", "http", "https"):
            continue
        out.setdefault(action, set()).add("*")
    return out


# -- report --------------------------------------------------------------------------------------
def row(name: str, score: Score | None, note: str = "", resources: bool = True) -> str:
    if score is None:
        return f"| {name} | - | - | - | {note} |"
    narrow = f"{score.narrow / score.tp:.1%}" if score.tp and resources else "-"
    return (f"| {name} | {score.recall:.1%} ({score.tp}/{score.tp + score.fn}) | {score.precision:.1%} "
            f"({score.tp}/{score.tp + score.fp}) | {narrow} | {note} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "bench" / "iam")
    parser.add_argument("--no-peers", action="store_true", help="Skip puresec-cli and iam-policy-autopilot.")
    args = parser.parse_args()
    corpus = args.corpus.resolve()
    cases = load_cases(corpus)
    services = {a.split(":")[0] for c in cases for a in c.expected()}
    log(f"{len(cases)} functions, {len(services)} services")
    score, by_language, elapsed, notes, inferred = run_hullguard(cases, corpus)
    log(f"hullguard: {elapsed:.2f}s")
    speed_s, speed_cpu, speed_n, loading, generating = speed(cases)
    log(f"100-function project: {speed_s:.2f}s wall, {speed_cpu:.2f}s CPU ({speed_n} functions)")
    peers: list[tuple[str, Score | None, str]] = []
    if not args.no_peers:
        for name, runner in (("puresec-cli 1.x", run_puresec), ("iam-policy-autopilot", run_autopilot)):
            try:
                result, note = runner(cases)
            except Exception as exc:
                result, note = None, f"did not run: {type(exc).__name__}: {exc}"
            log(f"{name}: {note}")
            peers.append((name, result, note))

    languages = ", ".join(f"{n} {lang}" for lang, n in sorted(
        {c.language: sum(1 for d in cases if d.language == c.language) for c in cases}.items()))
    out = [
        "## Least-privilege IAM (`hullguard gen-roles`)",
        "",
        f"Corpus: {len(cases)} hand-labelled functions in `bench/iam/` ({languages}), {len(services)} services "
        f"({', '.join(sorted(services))}). Command: `.venv/bin/python bench/bench_iam.py`.",
        "Recall and precision are over (function, IAM action) pairs; *narrow* is the share of correctly found "
        "actions whose resources are exactly the narrowest ones the labels give.",
        "",
        "| tool | recall (actions) | precision (actions) | narrowest resource | notes |",
        "|---|---|---|---|---|",
        row("hullguard", score, f"{elapsed:.2f} s for the corpus, {notes} unresolved-value notes"),
    ]
    out += [row(f"hullguard, {lang} only", s) for lang, s in sorted(by_language.items())]
    for name, result, note in peers:
        out.append(row(name, result, note + " (actions only; resources not compared)", resources=False))
    out += [
        "",
        f"Resources: {score.narrow} narrowest, {score.broader} broader than needed (still work), "
        f"{score.breaking} that would not cover what the code uses.",
        f"Speed: `hullguard gen-roles` on a generated 100-function SAM project (code from the corpus): "
        f"{speed_s:.2f} s wall time, {speed_cpu:.2f} s CPU, for {speed_n} functions (target < 5 s). In-process "
        f"CPU time of its parts: loading the template (scanner loaders, SAM translation, including importing "
        f"samtranslator) {loading:.2f} s, generating the 100 policies {generating:.2f} s (IAM dataset and "
        "service facts already loaded by the corpus run). The machine is shared: wall time grows with its load, "
        "CPU time much less.",
        "The labels were written by the team that wrote the analyser, so the corpus shows what is covered rather "
        "than an independent estimate.",
        "",
    ]
    if inferred:
        out += [f"Grants inferred for calls chosen at run time (statements with a `ReviewInferred` Sid, reported "
                f"with file and line): {len(inferred)} functions, "
                + "; ".join(f"{k}: {', '.join(v)}" for k, v in sorted(inferred.items()))
                + ". Candidates come from literal tables, loops and prefixes in the code and from the template's "
                "environment values; with no visible candidates an operation gets `service:*` on the resources the "
                "call names, and a service gets nothing (reported).", ""]
    if score.misses:
        out += ["Missed actions (each would break its function):", ""] + [f"- {m}" for m in score.misses] + [""]
    if score.extras:
        out += ["Extra actions:", ""] + [f"- {m}" for m in score.extras] + [""]
    if score.not_narrow:
        out += ["Resources not as narrow as the labels:", ""] + [f"- {m}" for m in score.not_narrow] + [""]
    for name, result, _ in peers:
        if result is not None and result.misses:
            from collections import Counter

            by_service = Counter(m.split(": ", 1)[1].split(":")[0] for m in result.misses)
            by_case = Counter(m.split(": ", 1)[0] for m in result.misses)
            platform = sum(1 for m in result.misses if m.split(": ", 1)[1].split(":")[0] in ("ec2", "xray")
                           or m.split(": ", 1)[0] in ("py_dlq_destination", "py_ddb_stream_trigger",
                                                      "py_sqs_consumer_forward", "js_v2_kinesis_consumer"))
            out += [f"{name} misses by service: " + ", ".join(f"{k} {v}" for k, v in by_service.most_common()) + ".",
                    "Functions it misses most in: " + ", ".join(f"{k} ({v})" for k, v in by_case.most_common(8))
                    + f"; {platform} of its misses are platform needs (VPC, X-Ray, event-source pollers, DLQ).", ""]
            shown = result.misses[:15]
            out += [f"{name} misses ({len(result.misses)}):", ""] + [f"- {m}" for m in shown]
            if len(result.misses) > len(shown):
                out.append(f"- ... and {len(result.misses) - len(shown)} more")
            out.append("")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
