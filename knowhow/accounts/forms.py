"""Forms for sign-up, profile and tokens."""

from django import forms
from django.contrib.auth import password_validation
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
