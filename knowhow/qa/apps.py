from django.apps import AppConfig


class QaConfig(AppConfig):
    name = "knowhow.qa"
    label = "qa"
    verbose_name = "Questions and answers"

    def ready(self) -> None:
        from knowhow.moderation import content
        from knowhow.qa import services

        def delete_post(*, post, by):  # type: ignore[no-untyped-def]
            return services.post_delete(post=post, by=by, reviewed=True)

        def apply_edit(*, post, by, approved_by, payload):  # type: ignore[no-untyped-def]
            return services.post_edit(
                post=post,
                by=by,
                approved_by=approved_by,
                body=payload["body"],
                title=payload.get("title") if post.is_question else None,
                tags=payload.get("tags") if post.is_question else None,
                summary=payload.get("summary") or "Edit approved on review",
            )

        # Moderation sits below qa: it reaches qa's bookkeeping through these handlers.
        content.register("delete_post", delete_post)
        content.register("apply_edit", apply_edit)
