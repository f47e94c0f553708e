from django.urls import path

from knowhow.moderation import views

app_name = "moderation"

urlpatterns = [
    path("posts/<int:pk>/flag/", views.flag, name="flag"),
    path("posts/<int:pk>/close/", views.close, name="close"),
    path("posts/<int:pk>/moderate/", views.post_moderate, name="post_moderate"),
    path("review/", views.review_index, name="review_index"),
    path("review/<str:queue>/", views.review_queue, name="review_queue"),
    path("tasks/<int:pk>/decide/", views.review_decide, name="review_decide"),
    path("audit/", views.audit_log, name="audit_log"),
    path("me/", views.my_record, name="my_record"),
    path("sanctions/<int:pk>/appeal/", views.appeal, name="appeal"),
    path("sanctions/<int:pk>/decide/", views.appeal_decide, name="appeal_decide"),
    path("sanctions/<int:pk>/lift/", views.sanction_lift, name="sanction_lift"),
    path("users/<int:pk>/sanction/", views.sanction_user, name="sanction_user"),
]
