"""Errors reach people as clear messages, never as a 500."""

import pytest
from django.urls import reverse

from knowhow.core.errors import ApplicationError, NotFound, PermissionRefused, ValidationFailed

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/search/?q=a%00b",
        "/questions/?tag=%00",
        "/tags/?q=%00",
        "/tags/a%00b/",
        "/questions/?sort=new%00est",
        "/?%00=1",
    ],
)
def test_a_null_character_in_the_address_gets_a_clear_400(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "null character" in response.content.decode()
    response = client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 400 and response["HX-Retarget"] == "#flash"


def test_errors_have_a_default_message_and_status():
    assert ValidationFailed().status_code == 400
    assert PermissionRefused().message == "You are not allowed to do that."
    assert NotFound("Gone.", field="x").field == "x"
    assert (
        ApplicationError().message
        == "A request that the application refuses, with a message meant for the person."
    )


def test_an_application_error_gets_the_error_page(client, user):
    client.force_login(user)
    response = client.post(reverse("qa:vote", args=[999999]), {"value": "1"})
    assert response.status_code == 404
    assert "No such post." in response.content.decode()
