from django.apps import AppConfig


class CurationConfig(AppConfig):
    name = "knowhow.curation"
    label = "curation"
    verbose_name = "Curation"

    def ready(self) -> None:
        from knowhow.curation import privacy
        from knowhow.curation.item_kinds import register_builtin_kinds
        from knowhow.privacy.registry import (
            register_erasure_step,
            register_export_step,
            register_personal_model,
        )

        register_builtin_kinds()
        for label in privacy.PERSONAL_MODELS:
            register_personal_model(label)
        register_export_step(privacy.export_records)
        register_erasure_step(privacy.erase)
