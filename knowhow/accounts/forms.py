"""Forms for sign-up, profile and tokens."""

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.validators import UnicodeUsernameValidator


class SignUpForm(forms.Form):
    username = forms.CharField(
        max_length=30,
        validators=[UnicodeUsernameValidator()],
        help_text="Letters, digits and @ . + - _ only.",
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    display_name = forms.CharField(
        max_length=80, required=False, help_text="How your name is shown."
    )
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        if data.get("password"):
            from knowhow.accounts.models import User

            try:
                password_validation.validate_password(
                    data["password"],
                    User(username=data.get("username", ""), email=data.get("email", "")),
                )
            except forms.ValidationError as error:
                self.add_error("password", error)
        return data


class ProfileForm(forms.Form):
    display_name = forms.CharField(max_length=80, required=False)
    job_title = forms.CharField(max_length=120, required=False)
    department = forms.CharField(max_length=120, required=False)
    bio = forms.CharField(
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Markdown. What do you know about? What are you learning?",
    )


class TokenForm(forms.Form):
    name = forms.CharField(max_length=80, help_text="e.g. 'reporting script'")


class LoginForm(AuthenticationForm):
    """Django's login form with brute-force protection: refuses while locked out and records
    each failure (see accounts.services.login_check_allowed)."""

    def clean(self):  # type: ignore[no-untyped-def]
        from knowhow.accounts import services
        from knowhow.accounts.middleware import client_ip

        username = self.cleaned_data.get("username") or ""
        ip = client_ip(self.request) if self.request is not None else None
        try:
            services.login_check_allowed(username=username, ip=ip)
        except services.TooManyLoginAttempts as error:
            raise forms.ValidationError(error.message, code="locked_out") from error
        try:
            data = super().clean()
        except forms.ValidationError:
            if username:
                services.login_record_failure(username=username, ip=ip)
            raise
        services.login_record_success(username=username)
        return data


class CodeForm(forms.Form):
    code = forms.CharField(
        max_length=20,
        label="Code",
        help_text="The 6-digit code from your authenticator app, or a recovery code.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class ConfirmCodeForm(CodeForm):
    code = forms.CharField(
        max_length=20,
        label="Code",
        help_text="The 6-digit code your authenticator app shows now.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class DisableTwoFactorForm(forms.Form):
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    code = forms.CharField(max_length=20, help_text="A current code or a recovery code.")
