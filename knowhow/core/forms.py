"""Glue between Django forms and service errors."""

from django import forms

from knowhow.core.errors import ApplicationError


def add_service_error(form: forms.Form, error: ApplicationError) -> None:
    """Show a service's refusal on the field it concerns, or on the form as a whole."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)
