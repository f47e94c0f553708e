from django.apps import AppConfig


class ReputationConfig(AppConfig):
    name = "knowhow.reputation"
    label = "reputation"
    verbose_name = "Reputation and badges"
