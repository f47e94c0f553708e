"""A real OpenID Connect provider (npm oidc-provider, run by Node) for the SSO tests."""

import json
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

OIDC_DIR = Path(__file__).parent / "oidc"
PORTS = range(8180, 8190)
SERVER_PORTS = range(8170, 8180)
CLIENT_ID = "knowhow-test"
CLIENT_SECRET = "knowhow-test-secret-0123456789"
CALLBACK = "/accounts/sso/oidc/company/login/callback/"
# The Django test client, and the browser tests' live server on any port of its range.
REDIRECT_URIS = [f"http://testserver{CALLBACK}"] + [
    f"http://127.0.0.1:{port}{CALLBACK}" for port in range(8170, 8180)
]
ACCOUNTS = {
    "ada": {"email": "ada@example.com", "name": "Ada Lovelace", "groups": ["pilot-finance"]},
    "grace": {"email": "grace@example.com", "name": "Grace Hopper", "groups": []},
}


def _free_port(ports: range = PORTS) -> int:
    for port in ports:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip(f"no free port in {ports.start}-{ports.stop - 1}")


@pytest.fixture(scope="session")
def oidc_provider():
    """Installs the provider with `npm ci` (from the committed lock file) and runs it."""
    if not shutil.which("node") or not shutil.which("npm"):
        pytest.skip("node and npm are needed to run the test OIDC provider")
    if not (OIDC_DIR / "node_modules" / "oidc-provider").exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=OIDC_DIR,
            check=True,
            timeout=300,
        )
    port = _free_port()
    env = {
        "PATH": shutil.os.environ.get("PATH", ""),
        "PORT": str(port),
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": CLIENT_SECRET,
        "REDIRECT_URIS": json.dumps(REDIRECT_URIS),
        "ACCOUNTS": json.dumps(ACCOUNTS),
    }
    process = subprocess.Popen(
        ["node", "provider.js"],
        cwd=OIDC_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = process.stdout.readline() if process.stdout else ""
        if not line.startswith("ready"):
            raise RuntimeError(f"the test OIDC provider did not start: {line!r}")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield {"issuer": f"http://127.0.0.1:{port}", "port": port}
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def sso_settings(settings, oidc_provider):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "company",
                    "name": "Company account",
                    "client_id": CLIENT_ID,
                    "secret": CLIENT_SECRET,
                    "settings": {
                        "server_url": oidc_provider["issuer"],
                        "scope": ["openid", "profile", "email", "groups"],
                        "oauth_pkce_enabled": True,
                    },
                }
            ]
        }
    }
    return settings


@pytest.fixture
def platform_server(transactional_db):
    """Knowhow served over HTTP on a port of this app's range, for browser tests."""
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer(f"127.0.0.1:{_free_port(SERVER_PORTS)}")
    server._live_server_modified_settings.enable()
    try:
        yield server
    finally:
        server._live_server_modified_settings.disable()
        server.stop()


@pytest.fixture
def chromium_page(monkeypatch):
    """A page in headless Debian Chromium, driven by Playwright."""
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("/usr/bin/chromium is not installed")
    # Playwright's sync API keeps an event loop in this thread; the test still talks to the
    # database synchronously, one thing at a time.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page()
        page.csp_violations = []  # type: ignore[attr-defined]
        page.on(
            "console",
            lambda msg: (
                page.csp_violations.append(msg.text)  # type: ignore[attr-defined]
                if "Content Security Policy" in msg.text or "Refused to" in msg.text
                else None
            ),
        )
        try:
            yield page
        finally:
            browser.close()
