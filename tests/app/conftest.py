"""Browser fixtures of the workbench tests: ``nqpf serve`` in a subprocess, Debian's chromium.

The server runs once per test session on a free loopback port; each test module gets its own
page (a new browser session of the app). Playwright drives ``/usr/bin/chromium`` and never
downloads a browser; a test asking for ``page`` is skipped when that binary is absent.
Screenshots go to ``test-artifacts/``.
"""

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium (/usr/bin/chromium) absent")
    return CHROMIUM


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    command = [sys.executable, "-c", "from nqpf.cli import main; main()", "serve"]
    with log.open("w") as sink:
        process = subprocess.Popen([*command, "--port", str(port)], stdout=sink, stderr=sink)
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(url, timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, log.read_text()
                time.sleep(0.5)
        else:
            pytest.fail(f"the workbench did not answer within 60 s: {log.read_text()}")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def page(chromium, server):
    from playwright.sync_api import sync_playwright  # a test dependency: never skipped

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=ARGS)
        context = browser.new_context(
            accept_downloads=True, viewport={"width": 1280, "height": 900}
        )
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(server)
        yield page
        browser.close()


@pytest.fixture(scope="session")
def shot():
    """Save a full-page screenshot ``test-artifacts/workbench-NAME.png``."""

    def save(page, name):
        page.screenshot(path=ARTIFACTS / f"workbench-{name}.png", full_page=True)

    return save
