"""The Huey instance (configured by settings.HUEY: SQLite by default, Redis when
SAFEWORK_REDIS_URL is set). Apps define their tasks in their own ``tasks.py``."""

from huey.contrib.djhuey import HUEY as huey  # noqa: F401
