from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "knowhow.api"
    label = "api"
    verbose_name = "Public REST API"
