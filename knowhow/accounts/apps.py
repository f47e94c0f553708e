from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "knowhow.accounts"
    label = "accounts"
    verbose_name = "Accounts"
