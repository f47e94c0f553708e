from django.urls import path

from knowhow.analytics import views

app_name = "analytics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("me/", views.my_impact, name="my_impact"),
    path("data/<slug:name>.<str:fmt>", views.dataset, name="dataset"),
]
