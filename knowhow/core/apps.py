from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "knowhow.core"
    label = "core"
    verbose_name = "Core"
