from django.apps import AppConfig


class ProvisioningConfig(AppConfig):
    name = "knowhow.provisioning"
    label = "provisioning"
    verbose_name = "Provisioning (SCIM)"
