"""Pages for spaces: the list a person can see and each space's questions."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from knowhow.qa import selectors as qa_selectors
from knowhow.spaces import selectors


def space_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "spaces/space_list.html", {"spaces": selectors.spaces_visible_to(request.user)}
    )


def space_detail(request: HttpRequest, slug: str) -> HttpResponse:
    space = selectors.space_get_for_viewer(slug=slug, viewer=request.user)
    sort = request.GET.get("sort", qa_selectors.QuestionSort.ACTIVE)
    qs = qa_selectors.question_list(viewer=request.user, sort=sort, space=space)
    page = qa_selectors.paginate(qs, page=request.GET.get("page"))
    return render(
        request,
        "spaces/space_detail.html",
        {
            "space": space,
            "page": page,
            "sort": sort,
            "sorts": qa_selectors.QuestionSort.CHOICES,
            "members": selectors.space_members(space=space)[:50] if space.is_private else None,
        },
    )
