"""The moderation counter shown in the header of every staff page, and small helpers of the
moderation pages."""

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


@register.filter
def hidden_initial(field) -> str:
    """The hidden copy of what ``field`` showed first (``show_hidden_initial``), which the
    shared field template does not draw for a group of checkboxes.

    A form sent back to correct carries the copy it was posted with. (Django's own drawing
    takes a copy of no value for a missing one, and puts there the ticks just refused, as
    if the page had shown them: saved again, they would count as unchanged.)
    """
    widget = field.field.hidden_widget()
    form = field.form
    if form.is_bound:
        value = widget.value_from_datadict(form.data, form.files, field.html_initial_name)
    else:
        value = field.field.prepare_value(field.initial)
    return widget.render(
        field.html_initial_name,
        value,
        attrs={"id": field.html_initial_id},
        renderer=form.renderer,
    )
