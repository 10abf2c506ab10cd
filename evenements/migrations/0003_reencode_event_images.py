"""Event images stored before they were re-encoded on upload: re-encoded now, metadata dropped.

Until issue 15, an image uploaded by staff was stored as sent, with its EXIF (the GPS
position of the phone that took it, its make, the date). Each is replaced by a JPEG of its
pixels only, exactly as a new upload is (``participation.core.images``); an image that
cannot be read is left as it is (the event page already shows it or not) and named in the
output. Nothing to reverse: the original is what must not be kept.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import migrations

logger = logging.getLogger(__name__)


def reencode_event_images(apps, schema_editor):
    from participation.core import images

    Evenement = apps.get_model("evenements", "Evenement")
    for event in Evenement.objects.exclude(image="").only("pk", "image").iterator():
        old_name = event.image.name
        storage = event.image.storage
        try:
            with storage.open(old_name, "rb") as handle:
                clean = images.clean_photo(handle)
        except (OSError, ValidationError) as error:
            logger.warning("Event %s: image %s left as it is (%s)", event.pk, old_name, error)
            continue
        event.image.save("evenement.jpg", clean.as_file(), save=False)
        Evenement.objects.filter(pk=event.pk).update(image=event.image.name)
        storage.delete(old_name)


class Migration(migrations.Migration):
    dependencies = [("evenements", "0002_ends_after_start_message")]

    operations = [migrations.RunPython(reencode_event_images, migrations.RunPython.noop)]
