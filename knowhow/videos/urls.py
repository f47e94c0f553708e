from django.urls import path

from knowhow.videos import tus, views

app_name = "videos"

urlpatterns = [
    path("", views.video_list, name="list"),
    path("upload/", views.upload_page, name="upload_page"),
    path("uploads/", tus.uploads, name="uploads"),
    path("uploads/<uuid:upload_id>/", tus.upload, name="upload"),
    path("<int:pk>/", views.video_detail, name="detail"),
    path("<int:pk>/status/", views.video_status, name="status"),
    path("<int:pk>/media/<path:name>", views.video_media, name="media"),
    path("<int:pk>/retranscode/", views.retranscode, name="retranscode"),
    path("<int:pk>/captions/", views.caption_add, name="caption_add"),
    path("<int:pk>/captions/<str:language>/edit/", views.caption_edit, name="caption_edit"),
    path("<int:pk>/captions/<str:language>/delete/", views.caption_remove, name="caption_remove"),
    path("<int:pk>/events/", views.play_events, name="events"),
    path("by/<int:user_pk>/", views.maker_videos, name="maker"),
    path("post/<int:post_pk>/", views.video_for_post, name="post"),
]
