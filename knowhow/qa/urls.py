from django.urls import path

from knowhow.qa import views

app_name = "qa"

urlpatterns = [
    path("", views.home, name="home"),
    path("questions/", views.question_list, name="question_list"),
    path("questions/ask/", views.question_ask, name="ask"),
    path("questions/<int:pk>/", views.question_detail, name="question_detail"),
    path("questions/<int:pk>/<slug:slug>/", views.question_detail, name="question_detail_slug"),
    # Not under questions/<pk>/: "questions/<pk>/answer/" would be taken by the slug route.
    path("posts/<int:pk>/answer/", views.answer_create, name="answer_create"),
    path("posts/<int:pk>/vote/", views.vote, name="vote"),
    path("posts/<int:pk>/accept/", views.accept, name="accept"),
    path("posts/<int:pk>/comments/", views.comment_create, name="comment_create"),
    path("posts/<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("posts/<int:pk>/suggest-edit/", views.post_suggest_edit, name="post_suggest_edit"),
    path("posts/<int:pk>/delete/", views.post_delete, name="post_delete"),
    path("posts/<int:pk>/undelete/", views.post_undelete, name="post_undelete"),
    path("posts/<int:pk>/revisions/", views.revision_list, name="revisions"),
    path("posts/<int:pk>/revisions/<int:number>/", views.revision_detail, name="revision_detail"),
    path("comments/<int:pk>/delete/", views.comment_delete, name="comment_delete"),
    path("tags/", views.tag_list, name="tag_list"),
    path("tags/<str:name>/", views.tag_detail, name="tag_detail"),
    path("tags/<str:name>/follow/", views.tag_follow, name="tag_follow"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
]
