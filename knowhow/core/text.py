"""Clean-up applied to every piece of user text before it is stored."""


def clean_text(value: str | None) -> str:
    """Drop NUL characters: PostgreSQL refuses them in text columns, and no one types them.

    Forms already refuse them; services clean them too, for callers that skip the forms.
    """
    return (value or "").replace("\x00", "")
