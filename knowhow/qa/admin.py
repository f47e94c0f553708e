from django.contrib import admin

from knowhow.qa.models import Comment, Post, PostRevision, Tag


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "post_type",
        "title",
        "author",
        "space",
        "score",
        "is_deleted",
        "created_at",
    )
    list_filter = ("post_type", "is_deleted", "space")
    search_fields = ("title", "body")
    raw_id_fields = ("author", "question", "accepted_answer", "last_editor", "deleted_by")
    readonly_fields = ("body_html",)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "question_count", "excerpt")
    search_fields = ("name",)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("id", "post", "author", "created_at", "is_deleted")
    raw_id_fields = ("post", "author")


@admin.register(PostRevision)
class PostRevisionAdmin(admin.ModelAdmin):
    list_display = ("post", "number", "author", "created_at")
    raw_id_fields = ("post", "author")
