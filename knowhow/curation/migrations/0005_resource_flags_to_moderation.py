"""Give every resource its discussion post and move its flags to moderation.

Each ResourceFlag becomes a pending moderation Flag on the resource's new discussion post, with
the same reason, note, weight and time (the reasons spam, broken, misleading and other exist
in moderation under the same values), and a resource with flags gets an open task in the
flagged-posts review queue, its score the weight of those flags. A resource hidden by flags
stays hidden (its post is hidden with the same reason). Reversing re-creates ResourceFlag rows
from the pending flags on resource posts and removes those posts.
"""

from django.db import migrations
from django.utils.html import escape, linebreaks


def _post_text(resource):
    # A frozen copy of services.discussion_post_text (migrations must not import app code).
    title = (resource.title or resource.canonical_url)[:300]
    parts = [resource.url, resource.site_name, resource.description, resource.note]
    body = "\n\n".join(p for p in parts if p)
    site = f" · {escape(resource.site_name)}" if resource.site_name else ""
    url = escape(resource.url)
    html = f'<p><a href="{url}" rel="noopener noreferrer nofollow">{url}</a>{site}</p>'
    if resource.description:
        html += linebreaks(resource.description, autoescape=True)
    html += resource.note_html or ""
    return title, body, html


def forward(apps, schema_editor):
    Resource = apps.get_model("curation", "Resource")
    ResourceFlag = apps.get_model("curation", "ResourceFlag")
    Post = apps.get_model("qa", "Post")
    Flag = apps.get_model("moderation", "Flag")
    ReviewTask = apps.get_model("moderation", "ReviewTask")
    for resource in Resource.objects.filter(post__isnull=True).order_by("pk").iterator():
        title, body, body_html = _post_text(resource)
        post = Post.objects.create(
            post_type="resource",
            space_id=resource.space_id,
            author_id=resource.added_by_id,
            title=title,
            body=body,
            body_html=body_html,
            created_at=resource.created_at,
            last_activity_at=resource.created_at,
            is_hidden=resource.is_hidden,
            hidden_reason=resource.hidden_reason,
            is_deleted=resource.is_deleted,
        )
        Resource.objects.filter(pk=resource.pk).update(post=post)
        flags = list(ResourceFlag.objects.filter(resource_id=resource.pk).order_by("created_at"))
        for flag in flags:
            Flag.objects.create(
                flagger_id=flag.user_id,
                post=post,
                reason=flag.reason,
                text=flag.note[:500],
                weight=flag.weight,
                status="pending",
                created_at=flag.created_at,
            )
        if flags:
            ReviewTask.objects.create(
                queue="flagged",
                post=post,
                status="open",
                score=sum(f.weight for f in flags),
                created_at=flags[0].created_at,
            )


def backward(apps, schema_editor):
    Resource = apps.get_model("curation", "Resource")
    ResourceFlag = apps.get_model("curation", "ResourceFlag")
    Post = apps.get_model("qa", "Post")
    Flag = apps.get_model("moderation", "Flag")
    for resource in Resource.objects.filter(post__isnull=False).iterator():
        for flag in Flag.objects.filter(post_id=resource.post_id, status="pending"):
            if flag.reason in ("spam", "broken", "misleading", "other"):
                ResourceFlag.objects.get_or_create(
                    resource_id=resource.pk,
                    user_id=flag.flagger_id,
                    defaults={
                        "reason": flag.reason,
                        "note": flag.text[:300],
                        "weight": flag.weight,
                        "created_at": flag.created_at,
                    },
                )
    post_ids = list(Resource.objects.exclude(post=None).values_list("post_id", flat=True))
    Resource.objects.update(post=None)
    # Flags, review tasks and close votes go with the posts (CASCADE); audit entries keep
    # their text with the post link cleared (SET_NULL).
    Post.objects.filter(pk__in=post_ids, post_type="resource").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("curation", "0004_resource_post"),
        ("moderation", "0003_flag_reasons_for_links"),
    ]

    operations = [migrations.RunPython(forward, backward)]
