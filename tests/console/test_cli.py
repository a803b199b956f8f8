"""`hullguard console` subcommands through the real CLI entry point."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from hullguard.cli.main import app

runner = CliRunner()


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, ["console", *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def test_help_lists_the_subcommands() -> None:
    code, out, _ = run("--help")
    assert code == 0
    for word in ("--data-dir", "--database-url", "create-admin", "create-key", "migrate", "seed-demo"):
        assert word in out


def test_first_run_admin_key_and_migrate(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    code, out, err = run(
        "--data-dir", data, "create-admin", "--password-env", "HG_PW", env={"HG_PW": "a long enough password"}
    )
    assert code == 0, err
    assert "user admin (admin) created" in out
    code, _, err = run("--data-dir", data, "create-admin", "--password-env", "HG_PW", env={"HG_PW": "a long enough pw"})
    assert code == 2 and "already exists" in err
    code, key, _ = run("--data-dir", data, "create-key", "--name", "ci", "--scopes", "events:write,policy:read")
    assert code == 0 and key.strip().startswith("hgk_")
    code, out, _ = run("--data-dir", data, "migrate")
    assert code == 0 and "revision 0003" in out
    assert (tmp_path / "data" / "console.db").exists()


def test_bad_input_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    data = str(tmp_path)
    code, _, err = run("--data-dir", data, "create-key", "--name", "x", "--scopes", "everything")
    assert code == 2 and "unknown or missing scopes" in err and "Traceback" not in err
    code, _, err = run("--data-dir", data, "create-admin", "--password-env", "HG_PW", env={"HG_PW": "short"})
    assert code == 2 and "at least 12 characters" in err
    code, _, err = run("--data-dir", data, "create-admin", "--password-env", "UNSET_VARIABLE_HG")
    assert code == 2 and "UNSET_VARIABLE_HG" in err
    code, _, err = run("--database-url", "postgresql://nobody@127.0.0.1:1/none", "migrate")
    assert code == 2 and "cannot open the database" in err
    code, _, err = run("--data-dir", data, "add-destination", "--name", "s", "--kind", "syslog", "--target", "x")
    assert code == 2 and "udp://host:port" in err
    code, _, err = run("--data-dir", data, "revoke-key", "99")
    assert code == 2 and "no API key with id 99" in err


def test_seed_demo_fills_the_console(tmp_path: Path) -> None:
    code, out, err = run("--data-dir", str(tmp_path), "seed-demo")
    assert code == 0, err
    assert "seeded" in out and "flagged by the firewall" in out
    assert "log in as 'demo' with password" in out  # a fresh console gets a demo admin
    code, again, _ = run("--data-dir", str(tmp_path), "seed-demo")
    assert code == 0 and "log in as" not in again  # only once
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{tmp_path / 'console.db'}")
    with engine.connect() as conn:
        events = conn.execute(text("SELECT count(*) FROM events WHERE action != 'allowed'")).scalar_one()
        total = conn.execute(text("SELECT count(*) FROM events")).scalar_one()
        functions = conn.execute(text("SELECT count(*) FROM functions WHERE protected = 0")).scalar_one()
        policy = conn.execute(text("SELECT function_name FROM policies")).scalar_one()
    engine.dispose()
    assert events > 0  # the firewall flagged real samples
    assert f"seeded {total} events" in out  # the second run added no copies (same event ids)
    assert functions > 0 and policy == "orders-api"
