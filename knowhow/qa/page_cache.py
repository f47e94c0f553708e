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
"""

import hashlib

from django.core.cache import cache
from django.http import HttpRequest

from knowhow.qa.selectors import QuestionThreadState

# Bounds what the fingerprint does not see: a renamed or erased person, badges, videos.
PAGE_CACHE_SECONDS = 60
# Bump when the thread templates change, so that a shared cache (Redis) drops the old HTML.
TEMPLATE_VERSION = 1
CSRF_PLACEHOLDER = "knowhow-csrf-placeholder-7c1e"


def thread_cache_key(*, state: QuestionThreadState, request: HttpRequest) -> str:
    user = request.user
    if user.is_authenticated:
        viewer = repr(
            (
                user.pk,
                getattr(user, "reputation", 0),
                user.is_staff,
                user.is_superuser,
                user.is_active,
                state.viewer_is_moderator,
                sorted(state.my_votes.items()),
            )
        )
        viewer = hashlib.blake2b(viewer.encode(), digest_size=12).hexdigest()
    else:
        viewer = "anonymous"
    return f"qthread:{TEMPLATE_VERSION}:{state.question.pk}:{state.fingerprint}:{viewer}"


def thread_get(key: str) -> str | None:
    """The cached thread HTML, with CSRF_PLACEHOLDER still in it."""
    return cache.get(key)


def thread_set(key: str, html_with_placeholder: str) -> None:
    cache.set(key, html_with_placeholder, PAGE_CACHE_SECONDS)
