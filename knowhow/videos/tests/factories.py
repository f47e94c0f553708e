from pathlib import Path

from knowhow.accounts.models import User
from knowhow.spaces.models import Space
from knowhow.spaces.selectors import default_space
from knowhow.videos.models import Video
from knowhow.videos.services import video_create_from_file


def video_from_clip(
    path: Path,
    *,
    user: User,
    space: Space | None = None,
    title: str = "How to file an expense claim",
    capture=None,
) -> Video:
    """Upload a clip through the real upload service; with `capture` (django_capture_on_commit_callbacks)
    the transcode task runs at commit, as in production."""
    if capture is None:
        return video_create_from_file(
            user=user, space=space or default_space(), title=title, path=path
        )
    with capture(execute=True):
        video = video_create_from_file(
            user=user, space=space or default_space(), title=title, path=path
        )
    video.refresh_from_db()
    return video
