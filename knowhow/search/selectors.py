"""Reads from the search index: ranked, filtered, visibility-checked questions with snippets."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q, QuerySet, TextChoices
from django.db.models.expressions import RawSQL
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from knowhow.curation.models import Resource
from knowhow.curation.selectors import resources_by_post
from knowhow.qa.models import Post, Tag
from knowhow.search import ranking_cache, result_cache
from knowhow.search.backends import MARK_END, MARK_START, get_backend
from knowhow.search.markdown_text import plain_text
from knowhow.search.query import ParsedQuery, parse_query
from knowhow.search.result_cache import Audience
from knowhow.search.services import document_post_ids_tagged, document_post_types
from knowhow.spaces.selectors import Viewer, visible_space_q_for_signature
from knowhow.videos.models import Video
from knowhow.videos.selectors import videos_by_post

# Counting every match of a common word costs as much as ranking them all; beyond this many
# the page says "1,000+ results" and pagination stops there.
MAX_COUNTED = 1000
# Relevance search ranks this many times (MAX_COUNTED + 1) candidates in the index alone, then
# filters them; when too few of them pass the filters to fill the count, it ranks in SQL.
CANDIDATE_FACTOR = 2
# A cached ranking is checked for the viewer in one query when at most one in this many of the
# best candidates fails the filters (more: a second query checks the rest).
CHECK_MARGIN = 10


class CappedPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        return self.object_list[: MAX_COUNTED + 1].count()


class SearchSort(TextChoices):
    RELEVANCE = "relevance", "Relevance"
    NEWEST = "newest", "Newest"
    VOTES = "votes", "Votes"


@dataclass(frozen=True)
class SearchFilters:
    """Filters from the form or API; the query text may add tags, an author and is: flags."""

    tags: tuple[str, ...] = ()
    space: str | None = None
    author_id: int | None = None
    answered: bool = False
    accepted: bool = False
    created_from: datetime.date | None = None
    created_to: datetime.date | None = None

    def merged_with(self, query: ParsedQuery) -> "SearchFilters":
        return replace(
            self,
            tags=tuple(dict.fromkeys([*self.tags, *query.tags])),
            author_id=query.user_id if query.user_id is not None else self.author_id,
            answered=self.answered or query.answered,
            accepted=self.accepted or query.accepted,
        )


@dataclass
class SearchHit:
    question: Post  # a question, or another registered post type (a video's or a resource's
    # discussion post)
    title_html: SafeString
    excerpt_html: SafeString
    video: Video | None = None  # the video, for a video's post: poster and duration
    resource: Resource | None = None  # the resource, for a resource's post: site and link


@dataclass
class SearchResults:
    query: ParsedQuery
    filters: SearchFilters
    sort: str
    page: Page
    hits: list[SearchHit] = field(default_factory=list)

    @property
    def max_counted(self) -> int:
        return MAX_COUNTED

    @property
    def more_than_counted(self) -> bool:
        return self.page.paginator.count > MAX_COUNTED


def marked_to_html(text: str) -> SafeString:
    """Escape everything, then turn highlight marks into balanced <mark> elements."""
    out: list[str] = []
    open_mark = False
    for i, piece in enumerate(text.replace(MARK_END, MARK_START).split(MARK_START)):
        if i:
            out.append("</mark>" if open_mark else "<mark>")
            open_mark = not open_mark
        out.append(str(escape(piece)))
    if open_mark:
        out.append("</mark>")
    return mark_safe("".join(out))  # noqa: S308  (every piece was escaped above)


def _others_tagged(filters: SearchFilters) -> dict[str, list[int]]:
    """Per filter tag, the posts of other types with it (videos and resources keep their tags
    on their own row, not on their discussion post)."""
    if len(document_post_types()) == 1:
        return {}
    return {tag: document_post_ids_tagged(tag) for tag in filters.tags}


def _filtered_questions(
    *,
    audience: Audience,
    filters: SearchFilters,
    others_tagged: dict[str, list[int]] | None = None,
    with_tags: bool = True,
) -> QuerySet[Post]:
    if others_tagged is None:
        others_tagged = _others_tagged(filters) if with_tags else {}
    # The spaces the audience sees, from its signature (what is cached per audience is computed
    # for exactly that audience).
    qs = Post.objects.filter(visible_space_q_for_signature(audience.signature), is_deleted=False)
    types = document_post_types()
    if len(types) == 1:
        qs = qs.filter(post_type=types[0])
    else:
        # Other post types (videos, resources) are left out while hidden by flags.
        qs = qs.filter(
            Q(post_type=Post.PostType.QUESTION) | Q(post_type__in=types[1:], is_hidden=False)
        )
    for tag in filters.tags if with_tags else ():
        # Videos and resources keep their tags on their own row, not on their discussion post;
        # the question filter stays as it was unless one of them has the tag.
        tagged_others = others_tagged.get(tag)
        if tagged_others:
            qs = qs.filter(Q(tags__name=tag) | Q(pk__in=tagged_others))
        else:
            qs = qs.filter(tags__name=tag)
    if filters.space:
        qs = qs.filter(space__slug=filters.space)
    if filters.author_id is not None:
        qs = qs.filter(author_id=filters.author_id)
    if filters.answered:
        qs = qs.filter(answer_count__gt=0)
    if filters.accepted:
        qs = qs.filter(accepted_answer__isnull=False)
    if filters.created_from:
        qs = qs.filter(created_at__date__gte=filters.created_from)
    if filters.created_to:
        qs = qs.filter(created_at__date__lte=filters.created_to)
    return qs


def search_questions(
    *,
    viewer: Viewer,
    text: str,
    filters: SearchFilters | None = None,
    sort: str = SearchSort.RELEVANCE,
    page: int | str | None = 1,
    per_page: int = 20,
    audience: Audience | None = None,
) -> SearchResults:
    """Questions (and videos and resources) matching `text` that `viewer` may see, one page,
    with snippets. `audience`: the viewer's (`result_cache.audience_for`), when the caller has
    read it already.

    Relevance with text: the best candidates ranked in the index alone, the filters applied to
    those ids (the capped count comes from them), one page (with author and space), tags,
    snippets, and the videos and resources when the page has their posts. Other sorts, or
    filters that too few of the candidates pass: a capped count and a page ranked in SQL.
    """
    query = parse_query(text)
    filters = (filters or SearchFilters()).merged_with(query)
    if sort not in SearchSort.values:
        sort = SearchSort.RELEVANCE
    if query.is_empty and filters == SearchFilters():
        empty = Paginator(Post.objects.none(), per_page).get_page(1)
        return SearchResults(query=query, filters=filters, sort=sort, page=empty)
    if audience is None:
        audience = result_cache.audience_for(viewer)
    ids_key = result_cache.ids_key(
        audience, query.words, query.phrases, filters, MAX_COUNTED, CANDIDATE_FACTOR
    )
    cached_ids = (
        result_cache.get(ids_key, audience)
        if query.has_text and sort == SearchSort.RELEVANCE
        else None
    )
    ranked = None
    others_tagged: dict[str, list[int]] = {}
    hits_key = None
    if cached_ids is not None and cached_ids != RANKED_IN_SQL:
        # Checked and filtered for this audience under this generation: only the page is read,
        # with the filters but the tags (any change to tags changes the generation), or the
        # page's hits are cached too.
        id_page = Paginator(cached_ids, per_page).get_page(page)
        hits_key = result_cache.ids_key(audience, ids_key, id_page.number, per_page)
        cached_hits = result_cache.get(hits_key, audience)
        if cached_hits is not None:
            id_page.object_list = cached_hits
            return SearchResults(
                query=query, filters=filters, sort=sort, page=id_page, hits=cached_hits
            )
        qs = _filtered_questions(audience=audience, filters=filters, with_tags=False)
        ranked = _page_of(qs, cached_ids, page=page, per_page=per_page)
    else:
        others_tagged = _others_tagged(filters)
        qs = _filtered_questions(audience=audience, filters=filters, others_tagged=others_tagged)
    backend = get_backend()
    if cached_ids is None and query.has_text and sort == SearchSort.RELEVANCE:
        # Tag filters narrow the matches ranked in the index; the rank of each is unchanged.
        within = _tagged_ids(filters, others_tagged)
        ordered = _ordered_in_index(qs, query=query, within=within, generation=audience.generation)
        result_cache.put(ids_key, audience, RANKED_IN_SQL if ordered is None else ordered)
        if ordered is not None:
            ranked = _page_of(qs, ordered, page=page, per_page=per_page)
    if ranked is not None:
        result_page, questions = ranked
    else:
        result_page, questions = _ranked_in_sql(
            qs, query=query, sort=sort, page=page, per_page=per_page
        )
    snippets = backend.snippets(query, [q.pk for q in questions]) if query.has_text else {}
    videos = videos_by_post(
        post_ids=[q.pk for q in questions if q.post_type == Post.PostType.VIDEO]
    )
    resources = resources_by_post(
        post_ids=[q.pk for q in questions if q.post_type == Post.PostType.RESOURCE]
    )
    hits = []
    for q in questions:
        snippet = snippets.get(q.pk)
        if snippet is not None:
            title_html = marked_to_html(snippet.title)
            excerpt_html = marked_to_html(snippet.excerpt)
        else:
            title_html = marked_to_html(q.title)
            excerpt_html = marked_to_html(_excerpt(q.body))
        hits.append(
            SearchHit(
                question=q,
                title_html=title_html,
                excerpt_html=excerpt_html,
                video=videos.get(q.pk),
                resource=resources.get(q.pk),
            )
        )
    result_page.object_list = hits
    if hits_key is not None:
        # What the hits show besides what decides them (scores, answer counts, names) may lag
        # by the cache's lifetime.
        result_cache.put(hits_key, audience, hits)
    return SearchResults(query=query, filters=filters, sort=sort, page=result_page, hits=hits)


def _with_related(qs: QuerySet[Post]) -> QuerySet[Post]:
    return qs.select_related("author", "space").prefetch_related(
        Prefetch("tags", queryset=Tag.objects.only("id", "name"))
    )


def _tagged_ids(
    filters: SearchFilters, others_tagged: dict[str, list[int]] | None = None
) -> list[QuerySet]:
    """The ids of the posts with each filter tag, for ranking only those matches in the index;
    empty (no narrowing) when a tag also belongs to a video or a resource."""
    if others_tagged is None:
        others_tagged = _others_tagged(filters)
    if not filters.tags or any(others_tagged.values()):
        return []
    through = Post.tags.through
    return [through.objects.filter(tag__name=tag).values("post_id") for tag in filters.tags]


# Cached in place of result ids: too few of the best matches pass the filters; rank in SQL.
RANKED_IN_SQL = "sql"


def _ordered_in_index(
    qs: QuerySet[Post],
    *,
    query: ParsedQuery,
    within: Sequence[QuerySet] = (),
    generation: int | None = None,
) -> list[int] | None:
    """The ids that pass the filters and visibility of `qs`, best first, at most
    MAX_COUNTED + 1 (enough for the capped count): relevance order from the index alone for a
    bounded set of candidates (only those in every `within` set), then the filters and
    visibility on those ids only, the best first. None when the candidates run out before the
    count is known (filters that few of the best matches pass): the caller then ranks in SQL.

    `generation`: the index generation read at the start of the request; a ranking cached
    under it is used (it was ranked at that state or a later one)."""
    limit = CANDIDATE_FACTOR * (MAX_COUNTED + 1)
    # Enough to fill the capped count when nearly all pass; the rest only when too few did.
    first = MAX_COUNTED + 1 + (MAX_COUNTED + 1) // CHECK_MARGIN
    key = ranking_cache.cache_key(query=query, limit=limit, within=within)
    entry = ranking_cache.cached(key)
    if entry is not None and generation is not None and entry[0] == generation:
        ids = entry[1]
        passing = set(
            qs.filter(pk__in=get_backend().id_list(ids[:first]))
            .order_by()
            .values_list("pk", flat=True)
        )
        candidates = [(pk, pk in passing if i < first else None) for i, pk in enumerate(ids)]
    else:
        if generation is None:
            generation = ranking_cache.current_generation()
        # The filters and visibility, checked for each of the best candidates by its id (no
        # join over matches).
        passes = qs.filter(pk=RawSQL("candidate.id", ())).values("pk")
        candidates = get_backend().ranked_ids(query, limit, within, passes, check_first=first)
        ranking_cache.store(key, generation=generation, ids=[pk for pk, _ in candidates])
    ordered = [pk for pk, ok in candidates if ok]
    unchecked = [pk for pk, ok in candidates if ok is None]
    if len(ordered) <= MAX_COUNTED and unchecked:
        passing = set(
            qs.filter(pk__in=get_backend().id_list(unchecked))
            .order_by()
            .values_list("pk", flat=True)
        )
        ordered = [pk for pk, ok in candidates if ok or (ok is None and pk in passing)]
    if len(candidates) >= limit and len(ordered) <= MAX_COUNTED:
        return None
    return ordered[: MAX_COUNTED + 1]


def _page_of(
    qs: QuerySet[Post], ordered: list[int], *, page: int | str | None, per_page: int
) -> tuple[Page, list[Post]]:
    """One page of these ids (best first), read with `qs`: a post that stopped passing since
    the ids were checked is left out."""
    id_page = Paginator(ordered, per_page).get_page(page)
    page_ids = list(id_page.object_list)
    by_id = {q.pk: q for q in _with_related(qs.filter(pk__in=page_ids))} if page_ids else {}
    questions = [by_id[pk] for pk in page_ids if pk in by_id]
    return id_page, questions


def _ranked_in_sql(
    qs: QuerySet[Post], *, query: ParsedQuery, sort: str, page: int | str | None, per_page: int
) -> tuple[Page, list[Post]]:
    if query.has_text:
        qs = get_backend().match(qs, query)
    if sort == SearchSort.NEWEST or (sort == SearchSort.RELEVANCE and not query.has_text):
        qs = qs.order_by("-created_at", "-id")
    elif sort == SearchSort.VOTES:
        qs = qs.order_by("-score", "-created_at", "-id")
    else:
        qs = qs.order_by("search_rank", "-id")
    result_page = CappedPaginator(_with_related(qs), per_page).get_page(page)
    return result_page, list(result_page.object_list)


def _excerpt(body: str, words: int = 40) -> str:
    parts = plain_text(body).split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")
