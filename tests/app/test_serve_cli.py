"""``nqpf serve``: loopback by default, a warning line when bound elsewhere (server not started)."""

import pytest
import uvicorn
from shiny import App
from typer.testing import CliRunner

from nqpf.cli import app

runner = CliRunner()


@pytest.fixture
def started(monkeypatch):
    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append((args, kwargs)))
    return calls


def test_serve_binds_loopback_by_default(started):
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 0, result.output
    (application,), options = started[0]
    assert isinstance(application, App)
    assert (options["host"], options["port"]) == ("127.0.0.1", 8765)
    assert "warning" not in result.output
    assert "http://127.0.0.1:8765" in result.output


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "example.org"])
def test_serve_warns_when_not_loopback(started, host):
    result = runner.invoke(app, ["serve", "--host", host, "--port", "9000"])
    assert result.exit_code == 0, result.output
    assert started[0][1]["host"] == host
    warnings = [line for line in result.output.splitlines() if line.startswith("warning")]
    assert len(warnings) == 1 and host in warnings[0]


@pytest.mark.parametrize("host", ["::1", "localhost", "127.0.0.2"])
def test_loopback_hosts_give_no_warning(started, host):
    result = runner.invoke(app, ["serve", "--host", host])
    assert "warning" not in result.output


def test_bad_port_is_a_usage_error(started):
    result = runner.invoke(app, ["serve", "--port", "0"])
    assert result.exit_code == 2 and not started
