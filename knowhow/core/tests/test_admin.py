"""The Django admin works for staff on every registered model, and only for staff."""

import pytest
from django.contrib import admin
from django.urls import reverse

from knowhow.core.tests.factories import AnswerFactory, QuestionFactory
from knowhow.qa.services import comment_add

pytestmark = pytest.mark.django_db


def test_every_admin_page_loads_for_staff(client, staff):
    question = QuestionFactory()
    answer = AnswerFactory(question=question)
    comment_add(post=answer, author=question.author, body="A comment")
    client.force_login(staff)
    assert client.get(reverse("admin:index")).status_code == 200
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        response = client.get(changelist)
        assert response.status_code == 200, changelist
        response = client.get(changelist, {"q": "report"})
        assert response.status_code in (200, 302), changelist
        if model_admin.has_add_permission(response.wsgi_request):
            add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
            assert client.get(add).status_code == 200, add
        obj = model._default_manager.first()
        if obj is not None:
            change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
            assert client.get(change).status_code == 200, change


def test_the_admin_refuses_people_who_are_not_staff(client, user):
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
