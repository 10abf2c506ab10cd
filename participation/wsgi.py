import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "participation.settings")

application = get_wsgi_application()

# What start-up made (Django, the apps, their modules) lives as long as the worker: moved out
# of the garbage collector's reach, its full collections only walk what requests create
# (3 to 6 % less CPU per signed-in page, docs/performance.md). gunicorn loads this module in
# its master, before forking the workers (--preload, deploy/systemd/): the frozen objects
# are never touched by a collection, so their pages stay shared with the workers.
gc.collect()
gc.freeze()
