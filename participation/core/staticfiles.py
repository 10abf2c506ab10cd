"""The static files storage of production: WhiteNoise's compressed files with hashed names,
plus the hashed names written into the import statements of native ES modules.

The field mode's script is a folder of ES modules (``static/js/terrain/``) that import one
another by relative path. Without this, the page would load ``main.<hash>.js``, which would
import ``./page.js`` by its plain name: a browser could mix two releases, and the service
worker, which precaches the hashed names, would not hold the modules offline.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    support_js_module_import_aggregation = True
