from django.urls import path

from knowhow.reputation import views

app_name = "reputation"

urlpatterns = [
    path("users/<int:pk>/reputation/", views.reputation_detail, name="detail"),
    path("privileges/", views.privileges, name="privileges"),
    path("badges/", views.badge_list, name="badges"),
    path("bounties/", views.bounty_list, name="bounties"),
    path("bounties/<int:pk>/award/", views.bounty_award, name="bounty_award"),
    path("posts/<int:pk>/bounty/", views.bounty_offer, name="bounty_offer"),
]
