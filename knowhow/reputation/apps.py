from django.apps import AppConfig


class ReputationConfig(AppConfig):
    name = "knowhow.reputation"
    label = "reputation"
    verbose_name = "Reputation and badges"

    def ready(self) -> None:
        from datetime import timedelta

        from django.db.models.signals import post_delete, post_save

        from knowhow.core.scheduling import every
        from knowhow.reputation.tasks import check_badges, settle_bounties

        every(timedelta(hours=6), check_badges)
        every(timedelta(hours=1), settle_bounties)

        from knowhow.reputation.models import PrivilegeThreshold
        from knowhow.reputation.privileges import thresholds_changed

        # Cache busting is what signals are for: the admin form must not know about the cache.
        for signal in (post_save, post_delete):
            signal.connect(
                lambda **kwargs: thresholds_changed(),
                sender=PrivilegeThreshold,
                weak=False,
                dispatch_uid=f"privilege-thresholds-{signal}",
            )
