"""Forms for asking, answering, commenting and editing. Business rules live in services."""

from django import forms
from django.conf import settings


def _limits() -> dict[str, int]:
    return settings.KNOWHOW


class AskForm(forms.Form):
    title = forms.CharField(
        max_length=1000,
        help_text="Be specific: imagine you are asking a colleague.",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "placeholder": "e.g. How do I export a report to CSV?"}
        ),
    )
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="Markdown: **bold**, `code`, ```fenced code```, tables, links.",
    )
    tags = forms.CharField(
        max_length=400,
        help_text="1 to 5 tags, separated by spaces, e.g. excel reporting",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    space = forms.ModelChoiceField(queryset=None, empty_label=None, required=True)  # type: ignore[arg-type]

    def __init__(self, *args, spaces=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["space"].queryset = spaces
        if spaces is not None and spaces.count() <= 1:
            self.fields["space"].widget = forms.HiddenInput()


class AnswerForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 10}), label="Your answer")


class CommentForm(forms.Form):
    body = forms.CharField(max_length=5000, label="Comment")


class EditForm(forms.Form):
    title = forms.CharField(max_length=1000, required=False)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 14}))
    tags = forms.CharField(max_length=400, required=False)
    summary = forms.CharField(
        max_length=300,
        required=False,
        label="Edit summary",
        help_text="Briefly, what did you change?",
    )
