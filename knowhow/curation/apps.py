from django.apps import AppConfig


class CurationConfig(AppConfig):
    name = "knowhow.curation"
    label = "curation"
    verbose_name = "Curation"

    def ready(self) -> None:
        from knowhow.curation.item_kinds import register_builtin_kinds

        register_builtin_kinds()
