"""A CSRF token for a cached page's response, made as Django's `get_token` makes it, with its
random mask drawn from a per-thread buffer of the system's random bytes.

Django draws each of the mask's 32 characters with `secrets.choice`: 32 reads of `os.urandom`,
~80 µs of CPU a response here, and each read releases the GIL, which under gunicorn's threads
hands it to another thread and back. Here the bytes come from `os.urandom` too, read 4 kB at a
time per thread (about a hundred responses' worth). The token is the same: a fresh mask of
CSRF_ALLOWED_CHARS, uniformly drawn (bytes past the largest multiple of 62 are rejected), and
the secret shifted by it; Django's `CsrfViewMiddleware` checks it as its own. Without a CSRF
cookie yet, Django's `get_token` mints the secret and sets the cookie.
"""

import os
import threading

from django.http import HttpRequest
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token

_CHARS = len(CSRF_ALLOWED_CHARS)
# Bytes below this map uniformly onto the characters; the rest are drawn again.
_LIMIT = 256 - 256 % _CHARS


_BUFFER_BYTES = 4096
_local = threading.local()


def _random_bytes(count: int) -> bytes:
    """`count` bytes from os.urandom, through this thread's buffer (never shared between
    threads or across a fork: the buffer belongs to the thread and the process that read it)."""
    buffer = getattr(_local, "buffer", b"")
    if len(buffer) < count or getattr(_local, "pid", None) != os.getpid():
        buffer = os.urandom(_BUFFER_BYTES)
        _local.pid = os.getpid()
    _local.buffer = buffer[count:]
    return buffer[:count]


def _random_indexes(count: int) -> list[int]:
    out: list[int] = []
    while len(out) < count:
        out.extend(b % _CHARS for b in _random_bytes(count + 8) if b < _LIMIT)
    return out[:count]


def response_token(request: HttpRequest) -> str:
    """The masked CSRF token for this response (and the CSRF cookie renewed, as `get_token`
    does)."""
    secret = request.META.get("CSRF_COOKIE")
    if secret is None or len(secret) != CSRF_SECRET_LENGTH:
        return get_token(request)
    # As get_token: the cookie is sent again to renew its expiry.
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    chars = CSRF_ALLOWED_CHARS
    mask = _random_indexes(CSRF_SECRET_LENGTH)
    cipher = "".join(
        chars[(chars.index(s) + m) % _CHARS] for s, m in zip(secret, mask, strict=True)
    )
    return "".join(chars[m] for m in mask) + cipher
