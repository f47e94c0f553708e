from django import forms

from knowhow.search.selectors import SearchSort


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=10_000, label="Search")
    tag = forms.CharField(required=False, max_length=35)
    space = forms.SlugField(required=False, max_length=100)
    author = forms.IntegerField(required=False, min_value=1, max_value=2**62, label="Author id")
    answered = forms.BooleanField(required=False, label="Answered")
    accepted = forms.BooleanField(required=False, label="Has an accepted answer")
    created_from = forms.DateField(required=False, label="Asked from")
    created_to = forms.DateField(required=False, label="Asked until")
    sort = forms.ChoiceField(required=False, choices=SearchSort.choices)
