from django.urls import path

from knowhow.stackexchange import views

app_name = "stackexchange"

urlpatterns = [
    path(
        "questions/by-source/<str:source>/<int:source_id>/",
        views.post_by_source,
        name="post_by_source",
    ),
    path(
        "comments/by-source/<str:source>/<int:source_id>/",
        views.comment_by_source,
        name="comment_by_source",
    ),
]
