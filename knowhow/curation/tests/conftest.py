"""A real HTTP server on 127.0.0.1 for the fetcher, preview, feed and image tests."""

import contextlib
import http.server
import threading
import time
from urllib.parse import parse_qs, urlsplit

import pytest

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)

ARTICLE = " ".join(["word"] * 700)

PAGE = f"""<!doctype html><html><head>
<title>Fallback title</title>
<meta property="og:title" content="Giving feedback that lands">
<meta property="og:description" content="A short guide to useful feedback.">
<meta property="og:site_name" content="Example Learning">
<meta property="og:image" content="/img.png">
<meta name="description" content="Plain description">
</head><body><nav>menu menu</nav><article><p>{ARTICLE}</p></article>
<script>var x = "{"ignored " * 500}";</script></body></html>"""

PLAIN_PAGE = """<html><head><title>  Only a   title </title>
<meta name="description" content="Only a description">
<link rel="alternate" type="application/json+oembed" href="/oembed.json"></head>
<body><p>short</p></body></html>"""

OEMBED = b'{"title": "From oEmbed", "provider_name": "Tube", "thumbnail_url": "/img.png"}'

RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Learning blog</title>
<item><title>First post</title><link>{base}/posts/1?utm_source=rss</link>
<guid>p1</guid><description>&lt;p&gt;Hello &lt;b&gt;there&lt;/b&gt;&lt;/p&gt;</description>
<pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate></item>
<item><title>Second post</title><link>{base}/posts/2</link><guid>p2</guid></item>
<item><title>Same as first</title><link>{base}/posts/1</link><guid>p3</guid></item>
<item><title>Not a link</title><link>javascript:alert(1)</link><guid>p4</guid></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>Atom feed</title><id>urn:x</id><updated>2026-11-01T00:00:00Z</updated>
<entry><title>Atom entry</title><link href="{base}/atom/1"/><id>urn:1</id>
<updated>2026-11-01T00:00:00Z</updated></entry></feed>"""


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep test output quiet
        pass

    def _send(self, status, body=b"", content_type="text/html; charset=utf-8", headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        base = f"http://127.0.0.1:{self.server.server_port}"
        self.server.hits.append((parts.path, dict(self.headers)))
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._route(parts.path, query, base)

    def _route(self, path, query, base):
        if path == "/page" or path.startswith("/posts/") or path.startswith("/atom/"):
            self._send(200, PAGE.encode())
        elif path == "/plain":
            self._send(200, PLAIN_PAGE.encode())
        elif path == "/oembed.json":
            self._send(200, OEMBED, "application/json")
        elif path == "/img.png":
            self._send(200, PNG, "image/png")
        elif path == "/fake.png":
            self._send(200, b"<svg onload=alert(1)>", "image/png")
        elif path == "/redirect":
            self.send_response(int(query.get("code", ["302"])[0]))
            self.send_header("Location", query["to"][0])
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path == "/huge":
            # Declares 2 GB and starts sending it.
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(2 * 1024**3))
            self.end_headers()
            chunk = b"a" * 65536
            for _ in range(2 * 1024**3 // 65536):
                self.wfile.write(chunk)
        elif path == "/endless":
            # No length, chunked, never ends: only the byte cap stops it.
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"a" * 65536
            while True:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        elif path == "/drip":
            # One byte every 0.2 s forever: only the total deadline stops it.
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            while True:
                self.wfile.write(b"1\r\na\r\n")
                self.wfile.flush()
                time.sleep(0.2)
        elif path == "/pdf":
            self._send(200, b"%PDF-1.4", "application/pdf")
        elif path == "/missing":
            self._send(404, b"no")
        elif path == "/feed.xml":
            etag = '"v1"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self._send(
                200,
                RSS.format(base=base).encode(),
                "application/rss+xml",
                {"ETag": etag, "Last-Modified": "Mon, 02 Nov 2026 10:00:00 GMT"},
            )
        elif path == "/atom.xml":
            self._send(200, ATOM.format(base=base).encode(), "application/atom+xml")
        elif path == "/broken.xml":
            self._send(200, b"<rss><channel><item><title>unterminated", "application/rss+xml")
        elif path == "/notafeed.xml":
            self._send(200, b"this is not xml at all {", "application/xml")
        else:
            self._send(404, b"not found")


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.hits = []

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"


@pytest.fixture(scope="session")
def web_server():
    server = Server()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def web(web_server, settings):
    """The local server, allow-listed for this test only (exact address and port)."""
    settings.CURATION_FETCH_ALLOWED_ADDRESSES = [f"127.0.0.1:{web_server.server_port}"]
    web_server.hits.clear()
    return web_server


@pytest.fixture
def curator(db):
    from knowhow.core.tests.factories import UserFactory

    return UserFactory(reputation=500)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
