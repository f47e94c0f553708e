from django import template

from knowhow.stackexchange.attribution import Attribution, attribution_for

register = template.Library()


@register.filter
def source_attribution(post) -> Attribution | None:
    return attribution_for(post)
