"""SCIM 2.0 provisioning sequences as Okta and Entra ID send them."""

import json

import pytest
from django.urls import reverse

from knowhow.accounts.models import ApiToken, User
from knowhow.accounts.services import api_token_authenticate, api_token_create
from knowhow.core.tests.factories import QuestionFactory, SpaceFactory, UserFactory
from knowhow.provisioning.models import ScimGroup
from knowhow.provisioning.services import provisioning_token_create
from knowhow.spaces.models import SpaceGroupLink
from knowhow.spaces.selectors import can_view_space

TOKEN = "scim-test-token-0123456789abcdef"
SCIM = "application/scim+json"


@pytest.fixture
def scim(client, settings, db):
    settings.SCIM_TOKEN = TOKEN

    class Scim:
        def _call(self, method, path, body=None, token=TOKEN, **params):
            url = "/scim/v2/" + path
            kwargs = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
            if body is not None:
                kwargs["data"] = json.dumps(body) if not isinstance(body, str) else body
                kwargs["content_type"] = SCIM
            if params:
                kwargs["QUERY_STRING"] = "&".join(f"{k}={v}" for k, v in params.items())
            return getattr(client, method)(url, **kwargs)

        def get(self, path, **params):
            return self._call("get", path, **params)

        def post(self, path, body, **kw):
            return self._call("post", path, body, **kw)

        def put(self, path, body):
            return self._call("put", path, body)

        def patch(self, path, body):
            return self._call("patch", path, body)

        def delete(self, path):
            return self._call("delete", path)

    return Scim()


def okta_user(user_name="ada@example.com", **extra):
    body = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": user_name,
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "emails": [{"primary": True, "value": user_name, "type": "work"}],
        "displayName": "Ada Lovelace",
        "externalId": "00u1abcd",
        "active": True,
        "password": "ignored-by-knowhow",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Finance"},
    }
    body.update(extra)
    return body


def patch(*operations):
    return {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": list(operations),
    }


def test_without_a_valid_token_everything_is_refused(scim):
    response = scim._call("get", "Users", token=None)
    assert response.status_code == 401
    assert response.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert scim._call("get", "Users", token="wrong").status_code == 401
    assert scim._call("post", "Users", okta_user(), token="wrong").status_code == 401
    assert not User.objects.filter(username="ada@example.com").exists()


def test_an_admin_made_token_works_until_revoked(scim, settings):
    settings.SCIM_TOKEN = ""
    token, raw = provisioning_token_create(name="Okta")
    assert scim._call("get", "Users", token=raw).status_code == 200
    token.revoked_at = token.created_at
    token.save()
    assert scim._call("get", "Users", token=raw).status_code == 401


def test_okta_sequence_create_find_get_update_deactivate(scim, client):
    # Okta first looks the person up by userName, then creates them.
    found = scim.get("Users", filter='userName eq "ada@example.com"', startIndex=1, count=100)
    assert found.status_code == 200
    assert found.json()["totalResults"] == 0

    created = scim.post("Users", okta_user())
    assert created.status_code == 201, created.content
    assert created["Content-Type"] == SCIM
    body = created.json()
    user = User.objects.get(pk=body["id"])
    assert (user.username, user.email, user.display_name, user.department) == (
        "ada@example.com",
        "ada@example.com",
        "Ada Lovelace",
        "Finance",
    )
    assert not user.has_usable_password()
    assert body["externalId"] == "00u1abcd"
    assert body["active"] is True

    found = scim.get("Users", filter='userName eq "ADA@example.com"').json()
    assert found["totalResults"] == 1 and found["Resources"][0]["id"] == body["id"]
    assert scim.get(f"Users/{body['id']}").json()["userName"] == "ada@example.com"

    updated = scim.put(f"Users/{body['id']}", okta_user(title="Controller", displayName="Ada L."))
    assert updated.status_code == 200
    user.refresh_from_db()
    assert (user.job_title, user.display_name) == ("Controller", "Ada L.")

    # Okta deactivates with a PATCH replacing active.
    client.force_login(user)
    _, raw_token = api_token_create(user=user, name="script")
    question = QuestionFactory(author=user)
    response = scim.patch(
        f"Users/{body['id']}", patch({"op": "replace", "value": {"active": False}})
    )
    assert response.status_code == 200
    assert response.json()["active"] is False
    user.refresh_from_db()
    assert not user.is_active
    assert client.get(reverse("accounts:profile")).status_code == 302  # signed out
    assert api_token_authenticate(raw=raw_token) is None
    question.refresh_from_db()
    assert question.author_id == user.pk  # content stays

    scim.patch(f"Users/{body['id']}", patch({"op": "replace", "value": {"active": True}}))
    user.refresh_from_db()
    assert user.is_active


def test_entra_sends_paths_and_string_booleans(scim):
    user_id = scim.post("Users", okta_user("grace@example.com")).json()["id"]
    response = scim.patch(
        f"Users/{user_id}",
        patch(
            {"op": "Replace", "path": "displayName", "value": "Grace Hopper"},
            {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "g@example.com"},
            {"op": "Replace", "path": "name.familyName", "value": "Hopper"},
            {
                "op": "Add",
                "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
                "value": "Navy",
            },
            {"op": "Replace", "path": "active", "value": "False"},
        ),
    )
    assert response.status_code == 200, response.content
    user = User.objects.get(pk=user_id)
    assert (user.display_name, user.email, user.last_name, user.department, user.is_active) == (
        "Grace Hopper",
        "g@example.com",
        "Hopper",
        "Navy",
        False,
    )


def test_a_duplicate_user_name_is_a_uniqueness_conflict(scim):
    UserFactory(username="ada@example.com")
    response = scim.post("Users", okta_user())
    assert response.status_code == 409
    assert response.json()["scimType"] == "uniqueness"


@pytest.mark.parametrize(
    ("body", "scim_type"),
    [
        ("{not json", "invalidSyntax"),
        ({"userName": ""}, "invalidValue"),
        ({"userName": "x", "active": "maybe"}, "invalidValue"),
        ({"userName": "x", "emails": "nope"}, "invalidValue"),
    ],
)
def test_bad_user_bodies_get_scim_errors(scim, body, scim_type):
    response = scim.post("Users", body)
    assert response.status_code == 400
    assert response.json()["scimType"] == scim_type


def test_bad_filters_and_unknown_ids(scim):
    response = scim.get("Users", filter='userName co "ada"')
    assert response.status_code == 400 and response.json()["scimType"] == "invalidFilter"
    assert scim.get("Users", filter='password eq "x"').status_code == 400
    assert scim.get("Users/999999").status_code == 404
    assert scim.get("Users/abc").status_code == 404
    assert scim.get("Groups/999999").json()["status"] == "404"
    assert scim.patch("Users/999999", patch({"op": "replace", "value": {}})).status_code == 404
    bad = scim.patch("Groups/1", {"Operations": "nope"})
    assert bad.status_code in (400, 404)


def test_group_membership_grants_and_removes_space_access(scim):
    pilot = SpaceFactory(private=True)
    SpaceGroupLink.objects.create(space=pilot, group="Finance pilot")
    ada = scim.post("Users", okta_user()).json()["id"]
    grace = scim.post("Users", okta_user("grace@example.com")).json()["id"]

    created = scim.post(
        "Groups",
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "Finance pilot",
            "members": [{"value": ada}],
        },
    )
    assert created.status_code == 201, created.content
    group_id = created.json()["id"]
    assert can_view_space(User.objects.get(pk=ada), pilot)
    assert not can_view_space(User.objects.get(pk=grace), pilot)

    # Okta adds and removes members with PATCH.
    response = scim.patch(
        f"Groups/{group_id}", patch({"op": "add", "path": "members", "value": [{"value": grace}]})
    )
    assert response.status_code == 204
    assert can_view_space(User.objects.get(pk=grace), pilot)
    scim.patch(
        f"Groups/{group_id}", patch({"op": "remove", "path": "members", "value": [{"value": ada}]})
    )
    assert not can_view_space(User.objects.get(pk=ada), pilot)
    # Entra ID removes with a filter path.
    scim.patch(
        f"Groups/{group_id}", patch({"op": "Remove", "path": f'members[value eq "{grace}"]'})
    )
    assert not can_view_space(User.objects.get(pk=grace), pilot)

    listing = scim.get("Groups", filter='displayName eq "Finance pilot"').json()
    assert listing["totalResults"] == 1 and listing["Resources"][0]["members"] == []


def test_renaming_a_group_moves_access_and_deleting_it_ends_access(scim):
    finance = SpaceFactory(private=True)
    legal = SpaceFactory(private=True)
    SpaceGroupLink.objects.create(space=finance, group="Finance")
    SpaceGroupLink.objects.create(space=legal, group="Legal")
    ada_id = scim.post("Users", okta_user()).json()["id"]
    group_id = scim.post(
        "Groups", {"displayName": "Finance", "members": [{"value": ada_id}]}
    ).json()["id"]
    ada = User.objects.get(pk=ada_id)

    scim.patch(
        f"Groups/{group_id}",
        patch({"op": "replace", "value": {"id": group_id, "displayName": "Legal"}}),
    )
    assert not can_view_space(ada, finance) and can_view_space(ada, legal)

    put = scim.put(f"Groups/{group_id}", {"displayName": "Legal", "members": []})
    assert put.status_code == 200 and put.json()["members"] == []
    assert not can_view_space(ada, legal)

    scim.put(f"Groups/{group_id}", {"displayName": "Legal", "members": [{"value": ada_id}]})
    assert scim.delete(f"Groups/{group_id}").status_code == 204
    assert not ScimGroup.objects.exists()
    assert not can_view_space(ada, legal)


def test_a_hand_granted_membership_survives_group_changes(scim):
    pilot = SpaceFactory(private=True)
    SpaceGroupLink.objects.create(space=pilot, group="Pilot")
    ada_id = scim.post("Users", okta_user()).json()["id"]
    from knowhow.spaces.services import space_add_member

    space_add_member(space=pilot, user=User.objects.get(pk=ada_id))
    group_id = scim.post("Groups", {"displayName": "Pilot", "members": [{"value": ada_id}]}).json()[
        "id"
    ]
    scim.delete(f"Groups/{group_id}")
    assert can_view_space(User.objects.get(pk=ada_id), pilot)


def test_members_must_exist(scim):
    response = scim.post("Groups", {"displayName": "X", "members": [{"value": "424242"}]})
    assert response.status_code == 400
    assert scim.post("Groups", {"displayName": ""}).status_code == 400
    scim.post("Groups", {"displayName": "Dup"})
    assert scim.post("Groups", {"displayName": "dup"}).json()["scimType"] == "uniqueness"


def test_delete_user_erases_the_person_but_keeps_their_content(scim):
    user_id = scim.post("Users", okta_user()).json()["id"]
    user = User.objects.get(pk=user_id)
    question = QuestionFactory(author=user)
    assert scim.delete(f"Users/{user_id}").status_code == 204
    user.refresh_from_db()
    assert not user.is_active
    assert user.email == "" and user.display_name == "Former member"
    question.refresh_from_db()
    assert question.author_id == user.pk
    assert scim.get(f"Users/{user_id}").json()["userName"] == f"former-member-{user_id}"
    assert not ApiToken.objects.filter(user=user).exists()


def test_paging_and_discovery(scim):
    for n in range(3):
        scim.post("Users", okta_user(f"p{n}@example.com"))
    page = scim.get("Users", startIndex=2, count=1).json()
    assert page["startIndex"] == 2 and page["itemsPerPage"] == 1
    assert page["totalResults"] == User.objects.filter(is_claimed=True).count()
    assert scim.get("ServiceProviderConfig").json()["patch"]["supported"] is True
    assert scim.get("ResourceTypes").json()["totalResults"] == 2
    assert scim.get("Users", count="x").status_code == 400


def test_listing_users_takes_a_fixed_number_of_queries(scim, django_assert_max_num_queries):
    for n in range(5):
        scim.post("Users", okta_user(f"q{n}@example.com"))
    with django_assert_max_num_queries(6):
        assert scim.get("Users").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "Users", []),
        ("post", "Users", {"userName": "x", "name": "not an object"}),
        ("post", "Users", {"userName": 42}),
        ("post", "Groups", "[]"),
        ("post", "Groups", {"displayName": "G", "members": "everyone"}),
        (
            "patch",
            "Groups/{group}",
            {"Operations": [{"op": "add", "path": "members", "value": "x"}]},
        ),
        ("patch", "Groups/{group}", {"Operations": [{"op": "move", "path": "members"}]}),
        ("patch", "Groups/{group}", {"Operations": [{"op": "add", "path": "owner", "value": 1}]}),
        (
            "patch",
            "Groups/{group}",
            {"Operations": [{"op": "replace", "path": 'members[value eq "1"]'}]},
        ),
        ("patch", "Users/{user}", {"Operations": [{"op": "replace", "value": "x"}]}),
        ("patch", "Users/{user}", {"Operations": [7]}),
        ("put", "Groups/{group}", ["not", "an", "object"]),
    ],
)
def test_malformed_requests_get_a_scim_400_never_a_500(scim, method, path, body):
    user_id = scim.post("Users", okta_user()).json()["id"]
    group_id = scim.post("Groups", {"displayName": "Group"}).json()["id"]
    url = path.format(user=user_id, group=group_id)
    response = getattr(scim, method)(url, body)
    assert response.status_code == 400, response.content
    assert response.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]


def test_an_admin_makes_a_scim_token_in_the_admin_and_sees_it_once(client, staff, scim, settings):
    settings.SCIM_TOKEN = ""
    client.force_login(staff)
    response = client.post(
        reverse("admin:provisioning_provisioningtoken_add"), {"name": "Entra ID"}, follow=True
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    raw = shown[0].rsplit(" ", 1)[-1]
    assert raw.startswith("khscim_")
    assert scim._call("get", "Users", token=raw).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200
