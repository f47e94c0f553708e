from django.apps import AppConfig


class StackExchangeConfig(AppConfig):
    name = "knowhow.stackexchange"
    label = "stackexchange"
    verbose_name = "Stack Exchange import and export"
