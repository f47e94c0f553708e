"""Collections and learning paths: ordered items in sections, enrolment, progress, visibility."""

import pytest

from knowhow.core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from knowhow.core.tests.factories import QuestionFactory, UserFactory, add_member
from knowhow.curation import selectors, services
from knowhow.curation.models import CollectionItem


@pytest.fixture
def path(curator, default_space):
    return services.collection_create(
        by=curator,
        space=default_space,
        title="Onboarding for analysts",
        is_path=True,
        description="Start *here*",
    )


@pytest.fixture
def resource(curator, default_space):
    return services.resource_add(
        by=curator, space=default_space, url="https://example.com/guide", fetch=False
    )


def test_items_keep_their_order_sections_and_notes(path, curator, question, resource):
    basics = services.section_add(collection=path, by=curator, title="Basics")
    first = services.collection_item_add(
        collection=path, by=curator, target=question, section=basics, note="Read the answers"
    )
    second = services.collection_item_add(collection=path, by=curator, target=resource)
    page = selectors.collection_page(pk=path.pk, viewer=UserFactory())
    assert [s.title for s in page.sections] == ["", "Basics"]
    assert page.sections[1].items[0].target == question
    assert "<p>Read the answers</p>" in page.sections[1].items[0].item.note_html
    assert page.sections[0].items[0].kind == "resource"
    services.collection_item_move(item=second, by=curator, direction=-1)
    assert list(path.items.order_by("position").values_list("pk", flat=True)) == [
        second.pk,
        first.pk,
    ]


def test_an_item_is_added_once(path, curator, question):
    services.collection_item_add(collection=path, by=curator, target=question)
    with pytest.raises(Conflict):
        services.collection_item_add(collection=path, by=curator, target=question)


def test_only_questions_resources_and_registered_kinds_can_be_added(path, curator):
    with pytest.raises(ValidationFailed):
        services.collection_item_add(collection=path, by=curator, target=curator)


def test_only_the_curator_edits(path, question):
    with pytest.raises(PermissionRefused):
        services.collection_item_add(collection=path, by=UserFactory(), target=question)


def test_a_curator_cannot_add_what_they_cannot_see(path, curator, private_space):
    secret = QuestionFactory(space=private_space)
    with pytest.raises(NotFound):
        services.collection_item_add(collection=path, by=curator, target=secret)


def test_private_items_are_left_out_for_non_members(path, curator, private_space, question):
    add_member(private_space, curator)
    secret = QuestionFactory(space=private_space, title="A private question about budgets")
    services.collection_item_add(collection=path, by=curator, target=question)
    services.collection_item_add(collection=path, by=curator, target=secret)
    outsider_page = selectors.collection_page(pk=path.pk, viewer=UserFactory())
    assert outsider_page.total == 1
    assert selectors.collection_page(pk=path.pk, viewer=curator).total == 2


def test_a_collection_in_a_private_space_is_hidden(curator, private_space):
    add_member(private_space, curator)
    hidden = services.collection_create(by=curator, space=private_space, title="Secret path")
    with pytest.raises(NotFound):
        selectors.collection_get(pk=hidden.pk, viewer=UserFactory())
    assert not selectors.collection_list(viewer=UserFactory()).filter(pk=hidden.pk).exists()


def test_enrolling_marking_done_and_completing(path, curator, question, resource, user):
    a = services.collection_item_add(collection=path, by=curator, target=question)
    b = services.collection_item_add(collection=path, by=curator, target=resource)
    with pytest.raises(ValidationFailed):
        services.path_mark_done(item=a, user=user)
    services.path_enrol(collection=path, user=user)
    services.path_mark_done(item=a, user=user)
    page = selectors.collection_page(pk=path.pk, viewer=user)
    assert (page.done_count, page.total, page.percent) == (1, 2, 50)
    enrolment = services.path_mark_done(item=b, user=user)
    assert enrolment.completed_at is not None
    enrolment = services.path_mark_done(item=b, user=user, done=False)
    assert enrolment.completed_at is None


def test_plain_collections_take_no_enrolments(curator, default_space, user):
    plain = services.collection_create(by=curator, space=default_space, title="Reading list")
    with pytest.raises(ValidationFailed):
        services.path_enrol(collection=plain, user=user)


def test_paths_are_recommended_by_department_role_and_tag(path, curator, question):
    from knowhow.qa.models import Tag
    from knowhow.qa.services import tag_follow

    services.path_recommend(collection=path, by=curator, department="Finance")
    analyst = UserFactory(department="finance")
    assert list(selectors.paths_recommended_for(user=analyst)) == [path]
    assert list(selectors.paths_recommended_for(user=UserFactory())) == []
    follower = UserFactory()
    tag_follow(user=follower, tag=Tag.objects.get(name="reporting"))
    services.path_recommend(collection=path, by=curator, tag="reporting")
    assert list(selectors.paths_recommended_for(user=follower)) == [path]
    services.path_enrol(collection=path, user=analyst)
    assert list(selectors.paths_recommended_for(user=analyst)) == []


def test_recommendations_need_an_audience(path, curator):
    with pytest.raises(ValidationFailed):
        services.path_recommend(collection=path, by=curator)
    with pytest.raises(NotFound):
        services.path_recommend(collection=path, by=curator, tag="no-such-tag")


def test_bad_collection_titles_are_refused(curator, default_space):
    with pytest.raises(ValidationFailed):
        services.collection_create(by=curator, space=default_space, title=" a ")


def test_the_collection_page_is_a_fixed_number_of_queries(
    path, curator, default_space, django_assert_num_queries
):
    for i in range(4):
        q = QuestionFactory(title=f"Question number {i} about reports")
        services.collection_item_add(collection=path, by=curator, target=q)
        r = services.resource_add(
            by=curator, space=default_space, url=f"https://example.com/{i}", fetch=False
        )
        services.collection_item_add(collection=path, by=curator, target=r)
    viewer = UserFactory()
    services.path_enrol(collection=path, user=viewer)
    CollectionItem.objects.count()
    # collection, items, one per kind (2), enrolment, completions, sections, moderator check
    with django_assert_num_queries(8):
        page = selectors.collection_page(pk=path.pk, viewer=viewer)
    assert page.total == 8
