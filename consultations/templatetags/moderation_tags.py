"""The moderation counter shown in the header of every staff page."""

from django import template

from .. import changes, rules

register = template.Library()


@register.simple_tag(takes_context=True)
def moderation_queue_count(context):
    """What waits for a mediator (one indexed COUNT); None for those who do not moderate."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not rules.can_moderate(user):
        return None
    return changes.queue_count_for(request)


@register.filter
def audit_value(value) -> str:
    """A before/after value of the audit log, as short readable text."""
    if value is None or value == {}:
        return "—"
    if isinstance(value, dict):
        return " ; ".join(f"{key} : {audit_value(item)}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "—"
    return str(value)
