from django import forms

from knowhow.moderation.models import POST_FLAG_REASONS, Decision, FlagReason, Sanction
from knowhow.qa.models import CloseReason


class FlagForm(forms.Form):
    reason = forms.ChoiceField(choices=POST_FLAG_REASONS, widget=forms.RadioSelect)
    text = forms.CharField(
        required=False,
        max_length=500,
        label="Details",
        help_text="Required for “other”: say what is wrong.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    comment = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, reasons=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if reasons is not None:
            self.fields["reason"].choices = [
                (value, label) for value, label in FlagReason.choices if value in reasons
            ]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=Decision.choices)
    note = forms.CharField(required=False, max_length=500)
    body = forms.CharField(required=False, widget=forms.Textarea)


class CloseForm(forms.Form):
    reason = forms.ChoiceField(choices=CloseReason.choices, widget=forms.RadioSelect)
    duplicate_of = forms.IntegerField(
        required=False, label="Duplicate of (question number)", min_value=1
    )


class SanctionForm(forms.Form):
    kind = forms.ChoiceField(choices=Sanction.Kind.choices)
    days = forms.IntegerField(required=False, min_value=1, help_text="For a silence or suspension.")
    reason = forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class AppealForm(forms.Form):
    text = forms.CharField(
        max_length=2000, label="Your appeal", widget=forms.Textarea(attrs={"rows": 4})
    )
