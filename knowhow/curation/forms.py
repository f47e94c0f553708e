"""Forms for curation pages. Business rules live in services."""

from django import forms

from knowhow.moderation.models import RESOURCE_FLAG_REASONS


class SpaceChoiceForm(forms.Form):
    space = forms.ModelChoiceField(queryset=None, empty_label=None)  # type: ignore[arg-type]

    def __init__(self, *args, spaces=None, **kwargs):  # type: ignore[no-untyped-def]
        from knowhow.spaces.models import Space

        super().__init__(*args, **kwargs)
        self.fields["space"].queryset = Space.objects.filter(pk__in=[s.pk for s in spaces or []])
        if spaces is not None and len(spaces) <= 1:
            self.fields["space"].widget = forms.HiddenInput()


class ResourceAddForm(SpaceChoiceForm):
    url = forms.CharField(
        max_length=2000,
        label="Link",
        widget=forms.URLInput(attrs={"placeholder": "https://…", "autocomplete": "off"}),
        help_text="We fetch a preview (title, summary, image, reading time) in the background.",
    )
    tags = forms.CharField(max_length=400, required=False, help_text="Up to 5 tags, e.g. feedback")
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Why it is worth reading",
        help_text="Markdown. Optional.",
    )
    field_order = ["url", "tags", "note", "space"]


class ResourceEditForm(forms.Form):
    title = forms.CharField(max_length=300, required=False)
    tags = forms.CharField(max_length=400, required=False)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        choices=[(i, f"{i} / 5") for i in range(5, 0, -1)], coerce=int, label="Rating"
    )
    line = forms.CharField(max_length=200, label="In one line, why did it help (or not)?")


class FlagForm(forms.Form):
    reason = forms.ChoiceField(choices=RESOURCE_FLAG_REASONS)
    note = forms.CharField(
        max_length=300, required=False, label="Details", help_text="Required for “other”."
    )


class CounterpointForm(forms.Form):
    counter = forms.CharField(
        max_length=2000,
        label="Counterpoint",
        help_text="The number or page address of another resource here that offers another view.",
    )
    note = forms.CharField(max_length=300, required=False, label="How it differs")


class CommentForm(forms.Form):
    body = forms.CharField(max_length=5000, label="Comment")


class FeedSubscribeForm(SpaceChoiceForm):
    url = forms.CharField(
        max_length=2000,
        label="Feed address",
        widget=forms.URLInput(attrs={"placeholder": "https://…/feed.xml"}),
        help_text="RSS or Atom. New items land in the curation inbox.",
    )
    field_order = ["url", "space"]


class CollectionForm(SpaceChoiceForm):
    title = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    is_path = forms.BooleanField(
        required=False,
        label="Learning path",
        help_text="People can enrol, mark items done and see their progress.",
    )
    field_order = ["title", "description", "is_path", "space"]


class SectionForm(forms.Form):
    title = forms.CharField(max_length=200, label="Section title")


class ItemAddForm(forms.Form):
    kind = forms.ChoiceField(choices=[])
    target = forms.IntegerField(
        min_value=1, label="Number", help_text="The question or resource number."
    )
    section = forms.IntegerField(required=False, widget=forms.HiddenInput())
    note = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Curator's note"
    )

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        from knowhow.curation.item_kinds import ITEM_KINDS

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, k.capitalize()) for k in ITEM_KINDS]


class RecommendForm(forms.Form):
    department = forms.CharField(max_length=120, required=False)
    job_title = forms.CharField(max_length=120, required=False, label="Role (job title)")
    tag = forms.CharField(max_length=35, required=False, label="Followers of tag")
