"""The parts of django-allauth that single sign-on needs, under /accounts/sso/.

allauth's own password login and sign-up pages are not mounted (ours add lockout and 2FA); its
URL names that the SSO flow redirects to point at our pages instead.
"""

from django.urls import include, path
from django.views.generic import RedirectView

from knowhow.accounts import views

urlpatterns = [
    path("", include("allauth.socialaccount.urls")),
    path("", include("allauth.socialaccount.providers.openid_connect.urls")),
    path("login/", RedirectView.as_view(pattern_name="accounts:login"), name="account_login"),
    path("logout/", RedirectView.as_view(pattern_name="accounts:login"), name="account_logout"),
    path(
        "local-signup/",
        RedirectView.as_view(pattern_name="accounts:signup"),
        name="account_signup",
    ),
    path("inactive/", views.sso_account_inactive, name="account_inactive"),
    path("email/", RedirectView.as_view(pattern_name="accounts:profile"), name="account_email"),
    path(
        "password/reset/",
        RedirectView.as_view(pattern_name="accounts:password_reset"),
        name="account_reset_password",
    ),
]
