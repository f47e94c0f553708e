"""The one way Knowhow fetches a URL someone typed in: refuses internal addresses, caps size and time.

Why it is built on `http.client` and not a client library: we must resolve the host ourselves,
check every address, and then connect to *the address we checked* (a second DNS lookup could be
answered differently: DNS rebinding). Redirects are followed by hand so that each hop is checked
the same way. The body is streamed and cut at the byte cap, and every read is bounded by what is
left of one total deadline, so a slow drip cannot hold a worker for longer than that deadline.

Tests allow-list exact `ip:port` pairs of the local server they start with the setting
`CURATION_FETCH_ALLOWED_ADDRESSES`; nothing else ever reaches a loopback, private, link-local,
metadata, multicast or reserved address.
"""

import concurrent.futures
import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from django.conf import settings

from knowhow.core.errors import ValidationFailed

USER_AGENT = "KnowhowPreview/1.0 (+self-hosted peer learning)"
REDIRECT_CODES = {301, 302, 303, 307, 308}
HTML_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/xml",
    "text/xml",
    "application/rdf+xml",
    "application/feed+json",
    "text/html",  # many servers mislabel feeds; feedparser decides
)
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
JSON_TYPES = ("application/json", "text/json", "application/json+oembed")


class FetchRefused(ValidationFailed):
    """That address cannot be fetched."""

    code = "fetch_refused"


class FetchFailed(ValidationFailed):
    """The page could not be fetched."""

    code = "fetch_failed"


@dataclass(frozen=True)
class FetchLimits:
    max_bytes: int = 2 * 1024 * 1024
    total_seconds: float = 10.0
    max_redirects: int = 5
    accept_types: tuple[str, ...] = HTML_TYPES


@dataclass
class FetchResult:
    url: str
    status: int
    content_type: str
    charset: str | None
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    redirects: list[str] = field(default_factory=list)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    def text(self) -> str:
        return self.body.decode(self.charset or "utf-8", errors="replace")


# getaddrinfo() has no timeout of its own; resolving in a small pool lets the total deadline
# cover DNS too (a hung lookup is abandoned, its thread finishes on its own).
_RESOLVER = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="resolve")


def _allowed_pairs() -> set[str]:
    return set(getattr(settings, "CURATION_FETCH_ALLOWED_ADDRESSES", ()) or ())


def address_is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True only for globally routable unicast addresses (IPv4-mapped and 6to4 unwrapped)."""
    if isinstance(ip, ipaddress.IPv6Address):
        for inner in (ip.ipv4_mapped, ip.sixtofour):
            if inner is not None:
                return address_is_public(inner)
        if ip.teredo is not None:
            return False
        # NAT64 (64:ff9b::/96) embeds an IPv4 address; judge the embedded one.
        if ip in ipaddress.IPv6Network("64:ff9b::/96"):
            return address_is_public(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return not (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or (isinstance(ip, ipaddress.IPv4Address) and ip in ipaddress.IPv4Network("100.64.0.0/10"))
        or not ip.is_global
    )


def _parse_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path-with-query) for an http(s) URL, or a clear refusal."""
    url = (url or "").strip()
    if len(url) > 2000:
        raise FetchRefused("That URL is too long.", field="url")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchRefused("That is not a valid URL.", field="url") from exc
    if parts.scheme not in ("http", "https"):
        raise FetchRefused("Only http and https links can be added.", field="url")
    if not parts.hostname:
        raise FetchRefused("That URL has no host name.", field="url")
    if parts.username or parts.password:
        raise FetchRefused("Links with a user name or password cannot be added.", field="url")
    if port is None:
        port = 443 if parts.scheme == "https" else 80
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return parts.scheme, parts.hostname, port, path


def resolve_public_address(host: str, port: int, *, deadline: float) -> str:
    """Resolve `host` and return one address to connect to; refuse if ANY address is internal."""
    if time.monotonic() >= deadline:
        raise FetchFailed("Timed out before connecting.")
    lookup = _RESOLVER.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    try:
        infos = lookup.result(timeout=max(0.0, deadline - time.monotonic()))
    except concurrent.futures.TimeoutError as exc:
        raise FetchFailed(f"Looking up “{host[:80]}” took too long.") from exc
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchFailed(f"The host name “{host[:80]}” could not be resolved.") from exc
    addresses: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        addr = str(sockaddr[0]).split("%", 1)[0]
        if addr not in addresses:
            addresses.append(addr)
    if not addresses:
        raise FetchFailed(f"The host name “{host[:80]}” has no address.")
    allowed = _allowed_pairs()
    for addr in addresses:
        ip = ipaddress.ip_address(addr)
        if not address_is_public(ip) and f"{addr}:{port}" not in allowed:
            raise FetchRefused(
                "That address is inside a private or reserved network and cannot be fetched.",
                field="url",
            )
    return addresses[0]


def _connection(
    scheme: str, host: str, port: int, ip: str, timeout: float
) -> http.client.HTTPConnection:
    conn: http.client.HTTPConnection
    if scheme == "https":
        conn = http.client.HTTPSConnection(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)

    # Connect to the address we checked, while TLS (SNI, certificate) and Host still use the name.
    def create_connection(address, timeout=timeout, source_address=None):  # type: ignore[no-untyped-def]
        return socket.create_connection((ip, port), timeout, source_address)

    conn._create_connection = create_connection  # type: ignore[attr-defined]
    return conn


def _media_type(value: str) -> tuple[str, str | None]:
    parts = [p.strip() for p in (value or "").split(";")]
    media = parts[0].lower()
    charset = None
    for p in parts[1:]:
        if p.lower().startswith("charset="):
            charset = p.split("=", 1)[1].strip().strip("\"'") or None
    return media, charset


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchFailed("The site took too long to answer.")
    return left


def safe_fetch(
    url: str,
    *,
    limits: FetchLimits | None = None,
    headers: dict[str, str] | None = None,
    method: str = "GET",
    data: bytes | None = None,
) -> FetchResult:
    """GET `url` following at most `limits.max_redirects` redirects, each hop checked.

    With method="POST" (webhooks) `data` is sent and redirects are not followed."""
    limits = limits or FetchLimits()
    deadline = time.monotonic() + limits.total_seconds
    redirects: list[str] = []
    current = url
    for _hop in range(limits.max_redirects + 1):
        scheme, host, port, path = _parse_url(current)
        ip = resolve_public_address(host, port, deadline=deadline)
        conn = _connection(scheme, host, port, ip, _remaining(deadline))
        try:
            request_headers = {
                "User-Agent": USER_AGENT,
                "Accept": ", ".join(limits.accept_types) + ", */*;q=0.1",
                # Identity only: a compressed body could expand far past the byte cap.
                "Accept-Encoding": "identity",
            }
            request_headers.update(headers or {})
            try:
                conn.request(method, path, body=data, headers=request_headers)
                # Keep the socket: http.client drops conn.sock when the server closes after
                # the body, but the response still reads through it.
                sock = conn.sock
                assert sock is not None
                sock.settimeout(_remaining(deadline))
                response = conn.getresponse()
            except (OSError, http.client.HTTPException) as exc:
                if time.monotonic() >= deadline:
                    raise FetchFailed("The site took too long to answer.") from exc
                raise FetchFailed(f"Could not connect to {host[:80]}: {exc}") from exc
            if response.status in REDIRECT_CODES:
                if method != "GET":
                    raise FetchFailed("The address redirected; a POST is never redirected.")
                location = response.getheader("Location")
                if not location:
                    raise FetchFailed("The site redirected without saying where to.")
                current = urljoin(current, location.strip())
                redirects.append(current)
                continue
            if response.status == 304:
                return FetchResult(
                    url=current,
                    status=304,
                    content_type="",
                    charset=None,
                    body=b"",
                    headers={k.lower(): v for k, v in response.getheaders()},
                    redirects=redirects,
                )
            if response.status >= 400:
                raise FetchFailed(f"The site answered with HTTP {response.status}.")
            media, charset = _media_type(response.getheader("Content-Type", ""))
            if "*/*" not in limits.accept_types and media not in limits.accept_types:
                raise FetchRefused(
                    f"The link points to {media or 'an unknown type of content'}, "
                    "which cannot be previewed here."
                )
            declared = response.getheader("Content-Length")
            if declared and declared.isdigit() and int(declared) > limits.max_bytes:
                raise FetchRefused(
                    f"The page is too large ({int(declared):,} bytes; "
                    f"the limit is {limits.max_bytes:,})."
                )
            body = _read_capped(sock, response, limits=limits, deadline=deadline)
            return FetchResult(
                url=current,
                status=response.status,
                content_type=media,
                charset=charset,
                body=body,
                headers={k.lower(): v for k, v in response.getheaders()},
                redirects=redirects,
            )
        finally:
            conn.close()
    raise FetchFailed(f"Too many redirects (more than {limits.max_redirects}).")


def _read_capped(
    sock: socket.socket,
    response: http.client.HTTPResponse,
    *,
    limits: FetchLimits,
    deadline: float,
) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        sock.settimeout(_remaining(deadline))
        try:
            chunk = response.read1(64 * 1024)
        except (OSError, http.client.HTTPException) as exc:
            if time.monotonic() >= deadline:
                raise FetchFailed("The site took too long to answer.") from exc
            raise FetchFailed(f"The download broke off: {exc}") from exc
        if not chunk:
            break
        size += len(chunk)
        if size > limits.max_bytes:
            raise FetchRefused(f"The page is larger than the limit of {limits.max_bytes:,} bytes.")
        chunks.append(chunk)
    return b"".join(chunks)
