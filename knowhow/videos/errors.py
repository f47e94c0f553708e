"""Refusals specific to videos, mapped to HTTP by core's middleware and the tus view."""

from knowhow.core.errors import ApplicationError, Conflict, ValidationFailed


class UploadTooLarge(ApplicationError):
    """The file is larger than the upload limit."""

    status_code = 413
    code = "upload_too_large"


class UploadOffsetMismatch(Conflict):
    """The upload continues from a different offset; ask the server where it stopped."""


class UploadAlreadyComplete(Conflict):
    """This upload is already complete."""


class BadCaptionFile(ValidationFailed):
    """The captions file is not valid WebVTT or SRT."""


class UploadBusy(Conflict):
    """Another request is still writing to this upload; try again in a moment."""

    status_code = 423
