"""Static files storage: hashed, compressed names in production, tolerant when not collected."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    # Fall back to the plain name when a file is missing from the manifest (tests, a fresh
    # checkout before collectstatic) instead of failing the page.
    manifest_strict = False

    def hashed_name(self, name, content=None, filename=None):  # type: ignore[no-untyped-def]
        try:
            return super().hashed_name(name, content, filename)
        except ValueError:
            # Only a lookup at render time (no content) falls back; collectstatic still fails
            # loudly on a stylesheet that points at a missing file.
            if content is not None:
                raise
            return name
