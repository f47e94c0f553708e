"""Static files storage: hashed, compressed names in production, tolerant when not collected."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    # Fall back to the plain name when a file is missing from the manifest (tests, a fresh
    # checkout before collectstatic) instead of failing the page.
    manifest_strict = False
