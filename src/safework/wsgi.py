"""The WSGI application gunicorn serves (``safework run``).

Once the application is loaded, everything it has built so far (modules, URL patterns,
the API's schemas, the translation catalogues) is moved out of the garbage collector's
reach with ``gc.freeze()``. Those ~200,000 objects live as long as the worker; left in
the oldest generation, every full collection walked all of them and stopped the worker
for 150-300 ms, a few times a minute under the gate's load (the gate check's p99).
``SAFEWORK_GC_FREEZE=false`` (settings.GC_FREEZE) leaves the collector as it is."""

import gc
import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safework.settings")
application = get_wsgi_application()


def _warm() -> None:
    """Build what the first requests would build lazily: the URL resolver (which imports
    every view and the API) and the translation catalogues."""
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().reverse_dict  # noqa: B018  (imports the URLconf and views, fills the maps)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Name")


if settings.GC_FREEZE:
    _warm()
    gc.collect()
    gc.freeze()
