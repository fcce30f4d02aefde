"""The environment of a safework process a test starts (gunicorn, a Huey consumer, a
shell): the test's own database, secrets and a data directory of its own, and none of
the SAFEWORK_* settings of the shell that runs the suite."""

import os

from django.conf import settings
from django.db import connection


def database_url() -> str:
    """The URL of the test database this test runs on (committed data only is seen)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def child_env(data_dir, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFEWORK_")}
    env.update(
        SAFEWORK_ENV="test",
        SAFEWORK_DATABASE_URL=database_url(),
        SAFEWORK_SECRET_KEY=settings.SECRET_KEY,
        SAFEWORK_FIELD_KEY=",".join(settings.FIELD_KEYS),
        SAFEWORK_DATA_DIR=str(data_dir),
        **extra,
    )
    return env
