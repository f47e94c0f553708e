from django.urls import path

from knowhow.privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.privacy_notice, name="notice"),
    path("my-data/", views.my_data, name="my_data"),
    path("my-data/export/", views.my_data_export, name="my_data_export"),
    path("requests/", views.request_list, name="requests"),
    path("requests/<int:pk>/carry-out/", views.request_carry_out, name="request_carry_out"),
]
