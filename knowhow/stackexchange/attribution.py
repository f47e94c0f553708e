"""What an imported post must show to meet its licence: source site, original post, author, licence."""

from dataclasses import dataclass

from knowhow.qa.models import Post

SOURCE_PREFIX = "stackexchange:"
LICENSE_URLS = {
    "CC BY-SA 2.5": "https://creativecommons.org/licenses/by-sa/2.5/",
    "CC BY-SA 3.0": "https://creativecommons.org/licenses/by-sa/3.0/",
    "CC BY-SA 4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
}


@dataclass(frozen=True)
class Attribution:
    site: str
    site_url: str
    post_url: str
    author_name: str
    author_url: str
    license: str
    license_url: str


def attribution_for(post: Post) -> Attribution | None:
    """None for posts that were not imported from a Stack Exchange site."""
    if not post.source.startswith(SOURCE_PREFIX) or post.source_id is None:
        return None
    site = post.source[len(SOURCE_PREFIX) :]
    site_url = f"https://{site}"
    kind = "q" if post.is_question else "a"
    author = post.author if post.author_id else None
    author_url = ""
    if author is not None and author.source == post.source and author.source_id is not None:
        author_url = f"{site_url}/users/{author.source_id}"
    return Attribution(
        site=site,
        site_url=site_url,
        post_url=f"{site_url}/{kind}/{post.source_id}",
        author_name=post.source_author_name
        or (author.name if author else "")
        or "an anonymous user",
        author_url=author_url,
        license=post.source_license or "CC BY-SA",
        license_url=LICENSE_URLS.get(
            post.source_license, "https://creativecommons.org/licenses/by-sa/4.0/"
        ),
    )
