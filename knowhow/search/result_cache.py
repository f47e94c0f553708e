"""Search results per audience, kept while the index generation is unchanged.

A search's visibility-checked, filtered result ids (the best MAX_COUNTED + 1, which give the
capped count too) are cached per normalised query, filters, audience and index generation; the
search page's results (everything below the site header), the whole page, and the API search's
JSON body are cached under the query string, the audience and the generation as well. A repeated
search then checks no candidates and renders no results.

The audience is everyone who sees the same spaces (`spaces.selectors.visibility_signature`) and
is signed in or not (the page offers signed-in people to ask). The results are computed from the
signature itself (`visible_space_q_for_signature`), not from memberships read again, so an entry
holds exactly what its audience may see; a membership change gives the person another signature.

The generation is read first in the request, before anything the results are computed from: an
entry then holds a state at least as new as its generation. It changes, in the same transaction,
with every index write (`services.index_generation_bump`) and every other change that decides
what matches or who may see it (`state_triggers.py`): no stale result is served once that
transaction has committed, in any process. What a page shows without deciding what is shown
(scores, answer counts, names, "3 minutes ago") may lag by SEARCH_RESULT_CACHE_SECONDS at most.
"""

import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache

from knowhow.search import ranking_cache
from knowhow.spaces.selectors import Viewer, visibility_signature

# Bump when the search templates change, so that a shared cache (Redis) drops the old HTML.
TEMPLATE_VERSION = 1


@dataclass(frozen=True)
class Audience:
    """Who a cached search result is for, and the index generation it is valid under."""

    signature: str
    signed_in: bool
    generation: int | None


def audience_for(viewer: Viewer) -> Audience:
    """The generation (read first), then the viewer's signature: one query anonymous, two
    signed in (one for a superuser)."""
    generation = ranking_cache.current_generation()
    return Audience(
        signature=visibility_signature(viewer),
        signed_in=bool(viewer is not None and viewer.is_authenticated),
        generation=generation,
    )


def anonymous_audience() -> Audience:
    return Audience(
        signature="public", signed_in=False, generation=ranking_cache.current_generation()
    )


def enabled(audience: Audience) -> bool:
    return bool(settings.SEARCH_RESULT_CACHE_SECONDS) and audience.generation is not None


def _key(kind: str, audience: Audience, *parts: object) -> str:
    text = repr((audience.signature, audience.signed_in, audience.generation, *parts))
    digest = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
    return f"search:{kind}:{TEMPLATE_VERSION}:{digest}"


def ids_key(audience: Audience, *parts: object) -> str:
    """The key of a search's result ids: the query's terms and filters, for this audience's
    spaces (signed in or not does not change the ids)."""
    return _key("ids", Audience(audience.signature, False, audience.generation), *parts)


def spaces_key(audience: Audience) -> str:
    """The key of the spaces this audience may choose from in the filter form."""
    return _key("spaces", Audience(audience.signature, False, audience.generation))


def content_key(audience: Audience, query_string: str) -> str:
    """The key of the search page's results part for this query string."""
    return _key("content", audience, query_string)


def page_key(audience: Audience, full_path: str, person: str = "") -> str:
    """The key of the whole page: anonymous (its header's login link carries the full path),
    or one person's (`person`: their row's fingerprint; the header shows them)."""
    return _key("page", audience, full_path, person)


def api_key(audience: Audience, full_path: str) -> str:
    """The key of an API search response's JSON body: its path and raw query string (the body's
    `next` and `previous` links repeat the query string as sent), for this audience's spaces
    (nothing in the body depends on who asks beyond what they may see)."""
    return _key("api", Audience(audience.signature, False, audience.generation), full_path)


def get(key: str, audience: Audience) -> Any:
    return cache.get(key) if enabled(audience) else None


def put(key: str, audience: Audience, value: Any) -> None:
    if enabled(audience):
        cache.set(key, value, settings.SEARCH_RESULT_CACHE_SECONDS)
