from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "knowhow.moderation"
    label = "moderation"
    verbose_name = "Moderation"
