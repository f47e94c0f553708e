from django import forms

from knowhow.reputation.config import reputation_setting


def bounty_amounts() -> list[tuple[int, str]]:
    low, high, step = (reputation_setting(k) for k in ("BOUNTY_MIN", "BOUNTY_MAX", "BOUNTY_STEP"))
    return [(n, f"{n}") for n in range(low, high + 1, step)]


class BountyForm(forms.Form):
    amount = forms.TypedChoiceField(coerce=int, choices=bounty_amounts, label="Amount")
    reason = forms.CharField(
        required=False,
        max_length=300,
        label="Why (optional)",
        help_text="What would a good answer need, e.g. “an authoritative reference”.",
    )


class BountyAwardForm(forms.Form):
    answer = forms.IntegerField(min_value=1)
