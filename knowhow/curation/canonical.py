"""Canonical URLs: one spelling per page, so the same link is never added twice."""

import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from knowhow.curation.fetching import FetchRefused

# Tracking parameters that never change what page is served.
TRACKING_PREFIXES = ("utm_",)
TRACKING_NAMES = {"fbclid", "gclid", "dclid", "mc_cid", "mc_eid", "igshid", "ref_src", "yclid"}


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no default port, no fragment, no tracking parameters,
    query parameters sorted, empty path as "/"."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchRefused("That is not a valid URL.", field="url") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise FetchRefused("Enter a full http:// or https:// link.", field="url")
    host = parts.hostname.lower().rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    if port is not None and not (
        (scheme == "http" and port == 80) or (scheme == "https" and port == 443)
    ):
        host = f"{host}:{port}"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(TRACKING_PREFIXES) and k.lower() not in TRACKING_NAMES
    ]
    query.sort()
    return urlunsplit((scheme, host, parts.path or "/", urlencode(query), ""))


def url_hash(canonical: str) -> str:
    return hashlib.sha256(canonical.encode()).hexdigest()
