"""Static files storage: hashed, compressed names in production, tolerant when not collected."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    # Fall back to the plain name when a file is missing from the manifest (tests, a fresh
    # checkout before collectstatic) instead of failing the page.
    manifest_strict = False

    def stored_name(self, name: str) -> str:
        # Without a manifest entry Django hashes the file found under STATIC_ROOT, and raises
        # ValueError when collectstatic has not run; serve the plain name then.
        try:
            return super().stored_name(name)
        except ValueError:
            return name
