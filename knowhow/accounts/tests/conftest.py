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
CLIENT_ID = "knowhow-test"
CLIENT_SECRET = "knowhow-test-secret-0123456789"
REDIRECT_URI = "http://testserver/accounts/sso/oidc/company/login/callback/"
ACCOUNTS = {
    "ada": {"email": "ada@example.com", "name": "Ada Lovelace", "groups": ["pilot-finance"]},
    "grace": {"email": "grace@example.com", "name": "Grace Hopper", "groups": []},
}


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip("no free port in 8180-8189 for the test OIDC provider")


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
        "REDIRECT_URI": REDIRECT_URI,
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
