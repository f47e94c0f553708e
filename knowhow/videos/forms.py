from django import forms

from knowhow.videos.models import Caption


class CaptionForm(forms.Form):
    language = forms.CharField(max_length=20, help_text="A language code such as en, fr or pt-BR.")
    label = forms.CharField(
        max_length=100, required=False, help_text="Shown in the player, e.g. English."
    )
    file = forms.FileField(help_text="WebVTT (.vtt) or SRT (.srt).")

    class Meta:
        model = Caption


class CaptionEditForm(forms.Form):
    label = forms.CharField(max_length=100, help_text="Shown in the player, e.g. English.")
    vtt = forms.CharField(
        label="Captions (WebVTT)",
        widget=forms.Textarea(attrs={"rows": 20, "spellcheck": "true"}),
        help_text="Correct the words; keep each timing line (00:00:01.000 --> 00:00:03.000).",
    )
