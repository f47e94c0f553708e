"""Forms for managing pilot spaces."""

from django import forms

from knowhow.spaces.models import Space


class SpaceSettingsForm(forms.Form):
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    privilege_preset = forms.ChoiceField(
        choices=Space.PrivilegePreset.choices,
        initial=Space.PrivilegePreset.LOW,
        help_text="Reputation needed for privileges; pilots usually start low.",
    )
    posting = forms.ChoiceField(choices=Space.Posting.choices, label="Who may post")
    videos_enabled = forms.BooleanField(required=False, initial=True, label="How-to videos")
    curation_enabled = forms.BooleanField(required=False, initial=True, label="Curation")
    chat_webhooks_enabled = forms.BooleanField(required=False, label="Chat webhooks")


class PilotCreateForm(SpaceSettingsForm):
    name = forms.CharField(max_length=100)
    field_order = ["name"]


class InviteForm(forms.Form):
    emails = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One or more addresses, separated by commas or new lines.",
    )
    department = forms.CharField(required=False, max_length=120)
    group = forms.CharField(
        required=False,
        max_length=200,
        label="Identity-provider group",
        help_text="e.g. pilot-finance",
    )

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        data["emails"] = [
            e.strip() for e in data.get("emails", "").replace(",", "\n").split() if e.strip()
        ]
        if not (data["emails"] or data.get("department") or data.get("group")):
            raise forms.ValidationError("Give at least one email, a department or a group.")
        return data


class PersonForm(forms.Form):
    username = forms.CharField(max_length=150)
