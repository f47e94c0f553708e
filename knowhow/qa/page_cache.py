"""The rendered thread of a question page (question, answers, comments, answer form), cached.

The key is the thread's fingerprint (`selectors.question_thread_state`: one query over the
question's and answers' state columns and the space), so any write to the thread, from any app
and in any process, makes a new key: nothing has to be told to invalidate, and a per-process
cache (the embedded default) stays correct. What the fingerprint does not cover, the author
cards' reputation and badges, attached videos, privilege thresholds and "3 minutes ago", may lag
by at most PAGE_CACHE_SECONDS.

Anonymous visitors all share one entry per thread. A signed-in viewer's controls (votes, edit,
accept, delete, moderation) depend on who they are, their reputation, their moderator role and
their votes, so their entry is keyed by exactly those. CSRF tokens are never cached: the
fragment holds a placeholder that each response replaces with its own token.

Anonymous visitors get more: the whole page (base template, header, thread) is cached under the
same fingerprint and the request's path, so a repeat view is the fingerprint query, a cache get
and the view count. The page holds two placeholders: the CSRF token (replaced by nothing when
the page has no form that posts, so that no CSRF cookie is set) and the view count, which is
exact on every response. A visitor with a pending message (a flash after logging out, say) is
served an uncached render, since the message shows once and only to them. Such a page is
answered by `qa.middleware` before sessions, CSRF and authentication when the request carries no
session or message cookie.

A signed-in person's whole page is cached too, per person: the thread's viewer key plus every
column of their row but the password hash (the header shows their name, avatar and staff
links), with the same two placeholders. Not with a pending message, nor while a sanction may be
in force (its banner depends on the time).
"""

import hashlib
import re
from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from knowhow.core.csrf import response_token
from knowhow.moderation.selectors import live_sanctions
from knowhow.qa.selectors import QuestionThreadState

# Bounds what the fingerprint does not see: a renamed or erased person, badges, videos.
PAGE_CACHE_SECONDS = 60
# Bump when the thread templates change, so that a shared cache (Redis) drops the old HTML.
TEMPLATE_VERSION = 1
CSRF_PLACEHOLDER = "knowhow-csrf-placeholder-7c1e"
VIEWS_PLACEHOLDER = "knowhow-views-placeholder-41d0"
# Anything on a page that sends a CSRF token: a form that posts or an htmx write.
_POSTS = re.compile(r'method="post"|hx-(?:post|put|patch|delete)=', re.IGNORECASE)


def _viewer_hash(state: QuestionThreadState, user: Any, *, whole_row: bool = False) -> str:
    parts: list[object] = [
        user.pk,
        getattr(user, "reputation", 0),
        user.is_staff,
        user.is_superuser,
        user.is_active,
        state.viewer_is_moderator,
        sorted(state.my_votes.items()),
    ]
    if whole_row:
        parts.append(person_fingerprint(user))
    return hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest()


def person_fingerprint(user: Any) -> str:
    """For a cached whole page: the header shows the person (name, avatar, staff links), so
    every column of their row but the password hash, so that any change to it makes a new key."""
    parts = [
        getattr(user, f.attname) for f in user._meta.concrete_fields if f.attname != "password"
    ]
    return hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest()


def thread_cache_key(*, state: QuestionThreadState, request: HttpRequest) -> str:
    user = request.user
    viewer = _viewer_hash(state, user) if user.is_authenticated else "anonymous"
    return f"qthread:{TEMPLATE_VERSION}:{state.question.pk}:{state.fingerprint}:{viewer}"


def thread_get(key: str) -> str | None:
    """The cached thread HTML, with CSRF_PLACEHOLDER still in it."""
    return cache.get(key)


def thread_set(key: str, html_with_placeholder: str) -> None:
    cache.set(key, html_with_placeholder, PAGE_CACHE_SECONDS)


def anonymous_page_cacheable(request: HttpRequest) -> bool:
    """Whether this request may be answered with (and its page stored as) the shared page."""
    # len() reads the pending messages without marking them shown.
    return not request.user.is_authenticated and not len(get_messages(request))


def signed_in_page_cacheable(request: HttpRequest) -> bool:
    """Whether this signed-in person's whole page may be served from (and stored in) the
    cache: not with a pending message (shown once), nor while a sanction may be in force (its
    banner depends on the time, not only on the person's row)."""
    user = request.user
    return (
        user.is_authenticated
        and not len(get_messages(request))
        and not live_sanctions(user=user)  # no query unless the row says one may be
    )


def page_cache_key(*, state: QuestionThreadState, request: HttpRequest) -> str:
    """The whole page's key: shared by anonymous visitors, per person (and their row) when
    signed in."""
    # The header's login link carries the full path (?next=...), so the query string counts.
    path = hashlib.blake2b(request.get_full_path().encode(), digest_size=8).hexdigest()
    user = getattr(request, "user", None)
    viewer = (
        _viewer_hash(state, user, whole_row=True)
        if user is not None and user.is_authenticated
        else "anonymous"
    )
    return f"qpage:{TEMPLATE_VERSION}:{state.question.pk}:{state.fingerprint}:{path}:{viewer}"


def page_get(key: str) -> str | None:
    """The cached anonymous page, with both placeholders still in it."""
    return cache.get(key)


def page_set(key: str, html_with_placeholders: str) -> None:
    # Decided once here rather than on every response: a page with nothing that posts gets no
    # CSRF token (and so no CSRF cookie); one that posts keeps the placeholder.
    if not _POSTS.search(html_with_placeholders):
        html_with_placeholders = html_with_placeholders.replace(CSRF_PLACEHOLDER, "")
    cache.set(key, html_with_placeholders, PAGE_CACHE_SECONDS)


def page_posts(html: str) -> bool:
    """Whether a page has anything that sends a CSRF token (a form that posts, an htmx write)."""
    return _POSTS.search(html) is not None


def page_response(
    request: HttpRequest, html_with_placeholders: str, *, view_count: int, status: int = 200
) -> HttpResponse:
    """The page with this response's CSRF token and the current view count filled in."""
    html = html_with_placeholders
    if CSRF_PLACEHOLDER in html:
        # Signed-in pages always post somewhere (the header's log-out form at least); an
        # anonymous page with nothing to post gets no token, and so no CSRF cookie.
        needs_token = request.user.is_authenticated or _POSTS.search(html) is not None
        html = html.replace(CSRF_PLACEHOLDER, response_token(request) if needs_token else "")
    views = f"{intcomma(view_count)} time{'' if view_count == 1 else 's'}"
    response = HttpResponse(html.replace(VIEWS_PLACEHOLDER, views, 1), status=status)
    # Per-request content (view count, CSRF token, a signed-in person's controls): browsers
    # revalidate, and shared caches never store it.
    patch_cache_control(response, private=True, no_cache=True)
    return response
