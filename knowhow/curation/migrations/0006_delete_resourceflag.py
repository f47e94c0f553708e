from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("curation", "0005_resource_flags_to_moderation"),
    ]

    operations = [
        migrations.DeleteModel(
            name="ResourceFlag",
        ),
    ]
