"""The sanction banner's data for every page: nothing is read unless the page renders it and
the person's row says a sanction may be in force."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def sanction_notice(request: HttpRequest) -> dict[str, object]:
    def load() -> list[object]:
        from knowhow.moderation.selectors import live_sanctions

        return live_sanctions(user=getattr(request, "user", None))  # type: ignore[arg-type]

    return {"sanction_notice": SimpleLazyObject(load)}
