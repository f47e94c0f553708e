"""`knowhow serve`: the gunicorn command line it runs (layout, SO_REUSEPORT, access log), and
its refusal of a port already in use."""

import socket

import pytest
from django.core.management import call_command

from knowhow.core.management.commands import serve


@pytest.fixture
def gunicorn_argv(monkeypatch):
    """The argument list `serve` would exec gunicorn with (nothing is started)."""
    captured: list[list[str]] = []

    def fake_execv(path, argv):
        captured.append(argv)
        raise SystemExit(0)

    monkeypatch.setattr(serve.os, "execv", fake_execv)
    for name in ("WEB_WORKERS", "WEB_THREADS", "WEB_REUSE_PORT", "ACCESS_LOG"):
        monkeypatch.delenv(name, raising=False)

    def run(*args: str) -> list[str]:
        with pytest.raises(SystemExit):
            call_command("serve", "--port", str(_free_port()), *args)
        return captured[-1]

    return run


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def test_the_default_layout_reuse_port_and_access_log(gunicorn_argv):
    argv = gunicorn_argv()
    assert _option(argv, "--workers") == str(serve.DEFAULT_WORKERS)
    assert _option(argv, "--threads") == str(serve.DEFAULT_THREADS)
    assert _option(argv, "--worker-class") == "gthread"
    assert "--reuse-port" in argv
    assert _option(argv, "--access-logfile") == "-"


def test_the_layout_from_the_environment_and_the_command_line(gunicorn_argv, monkeypatch):
    monkeypatch.setenv("WEB_WORKERS", "3")
    monkeypatch.setenv("WEB_THREADS", "2")
    argv = gunicorn_argv()
    assert (_option(argv, "--workers"), _option(argv, "--threads")) == ("3", "2")
    argv = gunicorn_argv("--workers", "4", "--threads", "1")
    assert (_option(argv, "--workers"), _option(argv, "--threads")) == ("4", "1")


@pytest.mark.parametrize("value", ["off", "OFF", "none", "0", ""])
def test_the_access_log_can_be_turned_off(gunicorn_argv, monkeypatch, value):
    monkeypatch.setenv("ACCESS_LOG", value)
    assert "--access-logfile" not in gunicorn_argv()


def test_the_access_log_to_a_file(gunicorn_argv, monkeypatch, tmp_path):
    monkeypatch.setenv("ACCESS_LOG", str(tmp_path / "access.log"))
    assert _option(gunicorn_argv(), "--access-logfile") == str(tmp_path / "access.log")


def test_reuse_port_can_be_turned_off(gunicorn_argv, monkeypatch):
    monkeypatch.setenv("WEB_REUSE_PORT", "0")
    assert "--reuse-port" not in gunicorn_argv()


def test_a_port_already_in_use_is_refused(monkeypatch, capsys):
    monkeypatch.setattr(serve.os, "execv", lambda *a: pytest.fail("gunicorn was started"))
    monkeypatch.delenv("WEB_REUSE_PORT", raising=False)
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        with pytest.raises(SystemExit) as exit_info:
            call_command("serve", "--port", str(port))
    assert exit_info.value.code == 1
    assert "already in use" in capsys.readouterr().err
