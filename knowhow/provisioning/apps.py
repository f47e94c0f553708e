from django.apps import AppConfig


class ProvisioningConfig(AppConfig):
    name = "knowhow.provisioning"
    label = "provisioning"
    verbose_name = "Provisioning (SCIM)"

    def ready(self) -> None:
        from knowhow.provisioning.models import ScimGroup
        from knowhow.spaces.pilots import register_group_resolver

        def scim_group_members(name: str):  # type: ignore[no-untyped-def]
            group = ScimGroup.objects.filter(display_name__iexact=name).first()
            return list(group.members.all()) if group is not None else []

        register_group_resolver(scim_group_members)
