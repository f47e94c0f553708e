from django.db import migrations, models


def create_row(apps, schema_editor):
    apps.get_model("search", "IndexGeneration").objects.create(pk=1, value=0)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_question_index")]

    operations = [
        migrations.CreateModel(
            name="IndexGeneration",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("value", models.BigIntegerField(default=0)),
            ],
            options={"db_table": "search_index_generation"},
        ),
        migrations.RunPython(create_row, migrations.RunPython.noop),
    ]
