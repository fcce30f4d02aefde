"""The WSGI module gunicorn loads leaves the application's long-lived objects out of the
garbage collector's reach (safework/wsgi.py), so full collections stay short."""

import os
import subprocess
import sys

PROBE = """
import gc, sys
import safework.wsgi
frozen = gc.get_freeze_count()
gc.collect()
print(frozen, len(gc.get_objects()), sys.modules.get("safework.api") is not None)
"""


def _probe(freeze: str, tmp_path) -> tuple[int, int, bool]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFEWORK_")}
    env.update(
        SAFEWORK_DATA_DIR=str(tmp_path), SAFEWORK_ENV="development", SAFEWORK_GC_FREEZE=freeze
    )
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    return int(out[0]), int(out[1]), out[2] == "True"


def test_the_loaded_application_is_frozen_out_of_the_collectors_reach(tmp_path):
    frozen, tracked, api_loaded = _probe("true", tmp_path)
    assert api_loaded  # the URLconf, and with it every view and the API, was imported
    assert frozen > 50_000  # modules, URL patterns, schemas, catalogues
    assert tracked < frozen / 10  # what a full collection still walks


def test_the_freeze_can_be_turned_off(tmp_path):
    frozen, tracked, _api_loaded = _probe("false", tmp_path)
    assert frozen == 0
    assert tracked > 50_000
