"""Imported reputation in the ledger, tags in any script, and original ids on every object."""

import unicodedata
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from knowhow.accounts.models import User
from knowhow.core.errors import ValidationFailed
from knowhow.core.tests.factories import QuestionFactory, SpaceFactory, UserFactory
from knowhow.qa.models import Post, PostRevision, Tag
from knowhow.qa.services import normalise_tag_names, vote_cast
from knowhow.reputation.models import ReputationEvent
from knowhow.reputation.services import reputation_rebuild
from knowhow.spaces.models import Space
from knowhow.stackexchange.importer import DumpImport
from knowhow.stackexchange.tests.test_import import MINI, SOURCE, copy_mini, post, run_import

pytestmark = pytest.mark.django_db

GRANTED = ReputationEvent.Kind.GRANTED


def person(source_id: int) -> User:
    return User.objects.get(source=SOURCE, source_id=source_id)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8-sig")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8-sig")


# --- reputation -----------------------------------------------------------------------------


def test_imported_reputation_is_a_ledger_grant_that_a_rebuild_keeps():
    run_import()
    asker = person(10)
    assert asker.reputation == 1234
    grants = ReputationEvent.objects.filter(user=asker)
    assert list(grants.values_list("kind", "amount")) == [(GRANTED, 1233)]
    assert grants.get().created_at == asker.date_joined
    # Reputation 1 is the base: nothing to grant.
    assert not ReputationEvent.objects.filter(user=person(-1)).exists()
    reputation_rebuild()
    call_command("rebuild_reputation", stdout=StringIO())
    assert [person(i).reputation for i in (-1, 10, 11, 12)] == [1, 1234, 56, 7]


def test_a_rerun_appends_the_difference_and_keeps_what_was_earned_here(tmp_path):
    directory = copy_mini(tmp_path)
    space = SpaceFactory()
    run_import(directory, space=space)
    vote_cast(post=post(1), user=UserFactory(), value=1)  # earned here after the import
    assert person(10).reputation == 1239
    edit(directory / "Users.xml", 'Reputation="1234"', 'Reputation="1300"')
    summary = run_import(directory, space=space)
    assert summary.new["users"] == 0
    amounts = ReputationEvent.objects.filter(user=person(10)).order_by("pk")
    assert list(amounts.values_list("amount", flat=True)) == [1233, 5, 66]
    assert person(10).reputation == 1305
    reputation_rebuild()
    assert person(10).reputation == 1305
    run_import(directory, space=space)
    assert amounts.count() == 3 and person(10).reputation == 1305


# --- tags in any script ---------------------------------------------------------------------


NAMES = ["питон", "機械学習", "café", "naïve-bayes"]


@pytest.fixture
def non_latin(tmp_path):
    directory = copy_mini(tmp_path)
    decomposed = unicodedata.normalize("NFD", "café")
    edit(
        directory / "Tags.xml",
        '<row Id="3" TagName="pandas" Count="1" />',
        '<row Id="3" TagName="pandas" Count="1" />\n'
        '  <row Id="4" TagName="питон" Count="1" />\n'
        '  <row Id="5" TagName="機械学習" Count="1" />\n'
        f'  <row Id="6" TagName="{decomposed}" Count="1" />',
    )
    # Question 1 gets the new tags (one of them new to Tags.xml, one in decomposed form).
    edit(
        directory / "Posts.xml",
        "&lt;python&gt;&lt;csv&gt;",
        "&lt;python&gt;&lt;csv&gt;&lt;ПИТОН&gt;&lt;機械学習&gt;"
        f"&lt;{decomposed}&gt;&lt;naïve-bayes&gt;",
    )
    run_import(directory)
    return post(1)


def test_tags_in_any_script_are_imported(non_latin):
    names = set(non_latin.tags.values_list("name", flat=True))
    assert names == {"python", "csv", *NAMES}
    assert Tag.objects.get(name="питон").source_id == 4
    assert Tag.objects.filter(name__startswith="caf").count() == 1  # one tag, in NFC


def test_a_tag_page_and_the_api_work_for_non_latin_tags(client, non_latin):
    for name in NAMES:
        tag = Tag.objects.get(name=name)
        page = client.get(tag.get_absolute_url())
        assert page.status_code == 200, name
        assert non_latin.title in page.content.decode()
        api = client.get(f"/api/v1/tags/{name}")
        assert api.status_code == 200 and api.json()["name"] == name
        listed = client.get("/api/v1/questions", {"tag": name}).json()
        assert [q["id"] for q in listed["results"]] == [non_latin.pk]
    # Upper case and decomposed forms find the same tag.
    assert client.get("/tags/ПИТОН/").status_code in (200, 301)
    nfd = unicodedata.normalize("NFD", "café")
    assert client.get(f"/api/v1/tags/{nfd}").json()["name"] == "café"


def test_people_can_use_non_latin_tags_and_bad_names_are_still_refused():
    assert normalise_tag_names("Питон 機械学習 café") == ["питон", "機械学習", "café"]
    for bad in ["a_b", "-x", "x y!", "x" * 36]:
        with pytest.raises(ValidationFailed):
            normalise_tag_names([bad])
    Tag.objects.create(name="питон")
    question = QuestionFactory(author=UserFactory(), tags=("питон",))
    assert list(question.tags.values_list("name", flat=True)) == ["питон"]


def test_non_latin_tag_badges_keep_their_own_slugs(tmp_path):
    directory = copy_mini(tmp_path)
    edit(directory / "Badges.xml", 'Name="python"', 'Name="питон"')
    run_import(directory)
    from knowhow.reputation.models import UserBadge

    badge = UserBadge.objects.get(source=SOURCE, source_id=501).badge
    assert badge.name == "питон" and badge.slug == "tag-питон"


# --- original ids ---------------------------------------------------------------------------


def test_revisions_keep_their_original_ids_in_the_api(client):
    space = SpaceFactory()
    run_import(space=space)
    revisions = PostRevision.objects.filter(post=post(1)).order_by("number")
    # The Id of each revision's first PostHistory row.
    assert list(revisions.values_list("source", "source_id")) == [(SOURCE, 1), (SOURCE, 5)]
    assert post(3).revisions.get().source_id == 4
    body = client.get(f"/api/v1/posts/{post(1).pk}/revisions").json()
    assert sorted((r["number"], r["source"], r["source_id"]) for r in body) == [
        (1, SOURCE, 1),
        (2, SOURCE, 5),
    ]
    # A re-run keeps them.
    run_import(space=space)
    assert list(revisions.values_list("source_id", flat=True)) == [1, 5]


def test_a_space_made_by_the_import_carries_its_source(client):
    call_command(
        "import_stackexchange",
        str(MINI),
        "--space",
        "Mini dump",
        "--site",
        "mini.example",
        "--no-progress",
        "--skip-post-import",
        stdout=StringIO(),
    )
    space = Space.objects.get(name="Mini dump")
    assert space.source == SOURCE
    assert client.get(f"/api/v1/spaces/{space.slug}").json()["source"] == SOURCE
    # An existing space is imported into but not marked.
    other = SpaceFactory(name="Existing")
    DumpImport(directory=MINI, space="Existing", site="other.example", post_import=False).execute()
    other.refresh_from_db()
    assert other.source == ""
    assert Post.objects.filter(source="stackexchange:other.example", space=other).exists()


def test_a_failed_import_does_not_leave_the_space_it_would_have_made(tmp_path):
    broken = copy_mini(tmp_path)
    (broken / "Posts.xml").write_text("<posts><row Id='1'", encoding="utf-8")
    with pytest.raises(Exception, match="Posts.xml"):
        DumpImport(directory=broken, space="Never made", post_import=False).execute()
    assert not Space.objects.filter(name="Never made").exists()
