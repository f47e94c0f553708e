"""A real local HTTP server that records webhook POSTs, plus shared fixtures."""

import http.server
import json
import threading

import pytest


class Recorder(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        self.server.received.append((self.path, self.headers.get("Content-Type"), json.loads(body)))
        status = 500 if self.path == "/fail" else 200
        reply = b"ok"
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)


@pytest.fixture(scope="session")
def hook_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    server.daemon_threads = True
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def hooks(hook_server, settings):
    settings.CURATION_FETCH_ALLOWED_ADDRESSES = [f"127.0.0.1:{hook_server.server_port}"]
    hook_server.received.clear()
    hook_server.base = f"http://127.0.0.1:{hook_server.server_port}"
    return hook_server


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run after-commit callbacks (signals, task enqueues) as the real request cycle would."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run
