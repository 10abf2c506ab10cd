"""A cheaper ``get_FOO_display()`` for the models shown in long lists.

Django's own builds a dict of every choice on each call and hashes every label to do so;
the labels are lazy translations, so each call translates every choice of the field (the
list of « mes expressions » spent a third of its time there). This one keeps one dict per
field, keyed by the stored values, and translates only the label it returns.
"""

from django.db import models
from django.utils.encoding import force_str

_labels: dict = {}


class ChoicesDisplayMixin(models.Model):
    class Meta:
        abstract = True

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        labels = _labels.get(field)
        if labels is None:
            labels = _labels[field] = dict(field.flatchoices)
        try:
            label = labels.get(value, value)
        except TypeError:  # an unhashable value: no choice can match it
            label = value
        return force_str(label, strings_only=True)
