from django.urls import path

from knowhow.feed import views

app_name = "feed"

urlpatterns = [
    path("", views.home, name="home"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/count/", views.notification_count, name="notification_count"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("settings/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("questions/<int:pk>/follow/", views.question_follow, name="question_follow"),
    path("collections/<int:pk>/follow/", views.collection_follow, name="collection_follow"),
    path("following/", views.following, name="following"),
    path("answerable/", views.answerable, name="answerable"),
    path("similar/", views.similar, name="similar"),
    path("questions/<int:pk>/related/", views.related, name="related"),
    path("spaces/<slug:slug>/webhooks/", views.space_webhooks, name="webhooks"),
]
