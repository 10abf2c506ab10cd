"""What the privacy page says about retention, read from the settings it describes."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def contact_retention_days() -> int:
    return settings.CONTACT_RETENTION_DAYS
