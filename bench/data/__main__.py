"""``python -m bench.data --seed 42 --scale 1``: see ``bench/data/__init__.py``."""

import sys

from bench.django_side import setup_django

setup_django()

from bench.data.driver import main  # noqa: E402 - the models need Django set up first

sys.exit(main())
