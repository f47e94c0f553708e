"""Application errors: raised by services and permissions, mapped to HTTP in one place."""


class ApplicationError(Exception):
    """A request that the application refuses, with a message meant for the person."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        self.message = message or self.default_message()
        self.field = field
        super().__init__(self.message)

    @classmethod
    def default_message(cls) -> str:
        return (cls.__doc__ or "The request was refused.").strip().splitlines()[0]


class ValidationFailed(ApplicationError):
    """The input is not valid."""

    code = "validation_failed"


class PermissionRefused(ApplicationError):
    """You are not allowed to do that."""

    status_code = 403
    code = "permission_denied"


class NotFound(ApplicationError):
    """That does not exist or is not visible to you."""

    status_code = 404
    code = "not_found"


class Conflict(ApplicationError):
    """That conflicts with the current state."""

    status_code = 409
    code = "conflict"
