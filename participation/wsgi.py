import gc
import os
from importlib import import_module

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.template import engines

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "participation.settings")

application = get_wsgi_application()

# What Django would otherwise load on each worker's first request, loaded here: the URLconf
# and through it every view and what the views import (some 400 modules), and the template
# engine with its tag libraries. The first visitor a worker serves after a start no longer
# waits for them (about 1.2 s of CPU a worker, docs/performance.md), and they are loaded once
# for all the workers. Nothing here opens a connection to the database or to Redis.
import_module(settings.ROOT_URLCONF)
engines.all()

# What start-up made (Django, the apps, their modules) lives as long as the worker: moved out
# of the garbage collector's reach, its full collections only walk what requests create
# (3 to 6 % less CPU per signed-in page, docs/performance.md). gunicorn loads this module in
# its master, before forking the workers (--preload, deploy/systemd/): the frozen objects
# are never touched by a collection, so their pages stay shared with the workers.
gc.collect()
gc.freeze()
