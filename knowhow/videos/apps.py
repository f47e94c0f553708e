from django.apps import AppConfig


class VideosConfig(AppConfig):
    name = "knowhow.videos"
    label = "videos"
    verbose_name = "Videos"
