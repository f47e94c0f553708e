"""The data migration that moves ResourceFlag rows to moderation loses none of them."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("curation", "0004_resource_post")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_resource_flags_become_pending_moderation_flags_with_a_review_task():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    old = _migrate(BEFORE)
    try:
        User = old.get_model("accounts", "User")
        Space = old.get_model("spaces", "Space")
        Resource = old.get_model("curation", "Resource")
        ResourceFlag = old.get_model("curation", "ResourceFlag")
        space = Space.objects.create(name="Old space", slug="old-space")
        curator = User.objects.create(username="curator", email="c@example.com")
        flaggers = [
            User.objects.create(username=f"flagger{n}", email=f"f{n}@example.com") for n in range(2)
        ]
        when = datetime.datetime(2026, 11, 1, 9, 0, tzinfo=datetime.UTC)
        flagged = Resource.objects.create(
            space=space,
            added_by=curator,
            url="https://example.com/ad",
            canonical_url="https://example.com/ad",
            canonical_hash="a" * 64,
            title="Cheap pills",
            note_html="<p>Why</p>",
            is_hidden=True,
            hidden_reason="Hidden after flags from the community, pending review.",
            created_at=when,
        )
        quiet = Resource.objects.create(
            space=space,
            added_by=curator,
            url="https://example.com/good",
            canonical_url="https://example.com/good",
            canonical_hash="b" * 64,
            created_at=when,
            is_deleted=True,
        )
        for n, (flagger, reason) in enumerate(zip(flaggers, ["spam", "broken"], strict=True)):
            ResourceFlag.objects.create(
                resource=flagged,
                user=flagger,
                reason=reason,
                note=f"note {n}",
                weight=3.5 + n,
                created_at=when + datetime.timedelta(minutes=n),
            )
    finally:
        _migrate(latest)

    from knowhow.curation.models import Resource as NewResource
    from knowhow.moderation.models import Flag, ReviewQueue, ReviewTask
    from knowhow.qa.models import Post

    flagged_now = NewResource.objects.select_related("post").get(pk=flagged.pk)
    post = flagged_now.post
    assert post.post_type == Post.PostType.RESOURCE
    assert (post.space_id, post.author_id, post.title) == (space.pk, curator.pk, "Cheap pills")
    assert post.is_hidden and post.hidden_reason == flagged.hidden_reason
    assert post.created_at == when
    flags = list(Flag.objects.filter(post=post).order_by("created_at"))
    assert [(f.flagger_id, f.reason, f.text, f.weight, f.status) for f in flags] == [
        (flaggers[0].pk, "spam", "note 0", 3.5, Flag.Status.PENDING),
        (flaggers[1].pk, "broken", "note 1", 4.5, Flag.Status.PENDING),
    ]
    task = ReviewTask.objects.get(post=post)
    assert (task.queue, task.status, task.score) == (ReviewQueue.FLAGGED, "open", 8.0)
    quiet_post = NewResource.objects.get(pk=quiet.pk).post
    assert quiet_post.is_deleted and not ReviewTask.objects.filter(post=quiet_post).exists()
    assert Post.objects.filter(post_type=Post.PostType.RESOURCE).count() == 2
