"""Seed the badge catalogue, so that awarding a badge never has to create its row."""

from django.db import migrations

BADGES = [
    ("first-question", "Student", 3, "Asked a first question."),
    ("first-answer", "Helper", 3, "Posted a first answer."),
    ("first-accepted", "Scholar", 3, "Had a first answer accepted."),
    ("fast-answer", "Quick draw", 2, "Posted an accepted answer within an hour of the question."),
    ("teacher", "Teacher", 3, "Answered with a score of 1 or more."),
    ("enlightened", "Enlightened", 2, "First to answer and accepted with a score of 10 or more."),
    ("editor", "Editor", 3, "First edit of someone else's post."),
    ("reviewer", "Reviewer", 2, "Completed review tasks."),
    ("video-maker", "Video maker", 3, "Published a how-to video."),
    ("curator", "Curator", 3, "Curated a collection others use."),
]


def seed(apps, schema_editor):
    Badge = apps.get_model("reputation", "Badge")
    for slug, name, tier, description in BADGES:
        Badge.objects.get_or_create(
            slug=slug, defaults={"name": name, "tier": tier, "description": description}
        )


class Migration(migrations.Migration):
    dependencies = [("reputation", "0002_ledger_tag_scores_privileges")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
