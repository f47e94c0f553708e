from django.apps import AppConfig


class VideosConfig(AppConfig):
    name = "knowhow.videos"
    label = "videos"
    verbose_name = "Videos"

    def ready(self) -> None:
        from datetime import timedelta

        from knowhow.core.scheduling import every
        from knowhow.qa.signals import answers_displayed, tag_displayed
        from knowhow.videos.tasks import videos_maintenance

        every(timedelta(minutes=1), videos_maintenance)
        from knowhow.videos.receivers import attach_answer_videos, attach_tag_videos

        answers_displayed.connect(attach_answer_videos, dispatch_uid="videos-answer-videos")
        tag_displayed.connect(attach_tag_videos, dispatch_uid="videos-tag-videos")
        from knowhow.privacy.registry import register_personal_files

        # A person's export carries the files they uploaded: originals and captions.
        register_personal_files("videos.Video", "original")
        register_personal_files("videos.Caption", "vtt")
