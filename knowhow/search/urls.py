from django.urls import path

from knowhow.search import views

app_name = "search"

urlpatterns = [path("", views.search, name="search")]
