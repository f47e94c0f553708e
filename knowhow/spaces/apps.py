from django.apps import AppConfig


class SpacesConfig(AppConfig):
    name = "knowhow.spaces"
    label = "spaces"
    verbose_name = "Spaces"
