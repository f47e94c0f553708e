"""A NUL character in a search or filter is ignored, never a 500 (PostgreSQL refuses NUL)."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    "url",
    [
        reverse("qa:search") + "?q=csv%00",
        reverse("qa:tag_list") + "?q=rep%00",
        reverse("qa:question_list") + "?tag=reporting%00",
        "/tags/reporting%00/",
    ],
)
def test_a_nul_character_in_a_query_is_ignored(client, question, url):
    assert client.get(url).status_code in (200, 404)
