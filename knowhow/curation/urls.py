from django.urls import path

from knowhow.curation import views

app_name = "curation"

urlpatterns = [
    path("resources/", views.resource_list, name="resource_list"),
    path("resources/add/", views.resource_add, name="resource_add"),
    path("resources/<int:pk>/", views.resource_detail, name="resource_detail"),
    path("resources/post/<int:post_pk>/", views.resource_for_post, name="resource_for_post"),
    path("resources/<int:pk>/preview/", views.resource_preview, name="resource_preview"),
    path("resources/<int:pk>/image/", views.resource_image, name="resource_image"),
    path("resources/<int:pk>/vote/", views.resource_vote, name="resource_vote"),
    path("resources/<int:pk>/review/", views.resource_review, name="resource_review"),
    path("resources/<int:pk>/flag/", views.resource_flag, name="resource_flag"),
    path("resources/<int:pk>/unhide/", views.resource_unhide, name="resource_unhide"),
    path(
        "resources/<int:pk>/counterpoint/",
        views.resource_counterpoint,
        name="resource_counterpoint",
    ),
    path("resources/<int:pk>/comments/", views.resource_comment, name="resource_comment"),
    path("resources/<int:pk>/edit/", views.resource_edit, name="resource_edit"),
    path("resources/<int:pk>/delete/", views.resource_delete, name="resource_delete"),
    path("feeds/", views.feed_list, name="feed_list"),
    path("feeds/<int:pk>/poll/", views.feed_poll_now, name="feed_poll"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/", views.inbox_decide, name="inbox_decide"),
    path("collections/", views.collection_list, name="collection_list"),
    path("collections/new/", views.collection_create, name="collection_create"),
    path("collections/<int:pk>/", views.collection_detail, name="collection_detail"),
    path("collections/<int:pk>/sections/", views.collection_section_add, name="section_add"),
    path("collections/<int:pk>/items/", views.collection_item_add, name="item_add"),
    path("collections/<int:pk>/enrol/", views.path_enrol, name="path_enrol"),
    path("collections/<int:pk>/recommend/", views.path_recommend, name="path_recommend"),
    path("items/<int:pk>/move/", views.collection_item_move, name="item_move"),
    path("items/<int:pk>/remove/", views.collection_item_remove, name="item_remove"),
    path("items/<int:pk>/done/", views.path_item_done, name="item_done"),
]
