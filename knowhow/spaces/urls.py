from django.urls import path

from knowhow.spaces import views

app_name = "spaces"

urlpatterns = [
    path("", views.space_list, name="list"),
    path("pilots/new/", views.pilot_new, name="pilot_new"),
    path("<slug:slug>/", views.space_detail, name="detail"),
    path("<slug:slug>/manage/", views.space_manage, name="manage"),
]
