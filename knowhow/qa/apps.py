from django.apps import AppConfig


class QaConfig(AppConfig):
    name = "knowhow.qa"
    label = "qa"
    verbose_name = "Questions and answers"
