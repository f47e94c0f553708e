from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "knowhow.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from knowhow.accounts import receivers, sso  # noqa: F401  (connect the auth signals)
