"""Helpers shared by the search tests."""

from knowhow.core.tests.factories import QuestionFactory

BODY = "Some background text that is long enough to be a body."


def ask(title, body=BODY, tags=("general",), **kwargs):
    return QuestionFactory(title=title, body=body, tags=tags, **kwargs)
