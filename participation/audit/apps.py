from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "participation.audit"
    label = "audit"
