from django.contrib import admin, messages
from django.http import HttpRequest

from knowhow.provisioning.models import ProvisioningToken, ScimGroup, ScimUser


@admin.register(ProvisioningToken)
class ProvisioningTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "created_at", "last_used_at", "revoked_at")
    fields = ("name", "revoked_at")

    def save_model(self, request: HttpRequest, obj: ProvisioningToken, form, change) -> None:  # type: ignore[no-untyped-def]
        if change:
            super().save_model(request, obj, form, change)
            return
        from knowhow.provisioning.services import provisioning_token_secret

        raw, obj.prefix, obj.key_hash = provisioning_token_secret()
        super().save_model(request, obj, form, change)
        messages.warning(request, f"Copy the SCIM token now, it will not be shown again: {raw}")


@admin.register(ScimGroup)
class ScimGroupAdmin(admin.ModelAdmin):
    list_display = ("display_name", "external_id", "updated_at")
    filter_horizontal = ("members",)


@admin.register(ScimUser)
class ScimUserAdmin(admin.ModelAdmin):
    list_display = ("user", "external_id", "updated_at")
    raw_id_fields = ("user",)
