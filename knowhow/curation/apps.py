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
        # Flags on a resource are moderation's flags on its discussion post; when moderation
        # hides, restores or deletes that post, the resource follows.
        from knowhow.curation.services import resource_sync_from_post
        from knowhow.moderation import content
        from knowhow.moderation.models import RESOURCE_FLAG_REASONS
        from knowhow.qa.models import Post

        content.register_post_type(
            Post.PostType.RESOURCE,
            content.PostTypeHooks(
                moderated=resource_sync_from_post,
                editable=False,
                flag_reasons=tuple(value for value, _ in RESOURCE_FLAG_REASONS),
            ),
        )
        for label in privacy.PERSONAL_MODELS:
            register_personal_model(label)
        register_export_step(privacy.export_records)
        register_erasure_step(privacy.erase)
