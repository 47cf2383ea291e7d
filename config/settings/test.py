"""Settings for the test suite: SQLite by default, PostgreSQL when DATABASE_URL says so."""

import os

from .base import *  # noqa: F403
from .base import VAR_DIR

SECRET_KEY = "test-secret-key-not-for-production-" + "x" * 20
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if not os.environ.get("DATABASE_URL"):
    DATABASES = {  # noqa: F405
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": ":memory:",
            "TEST": {"NAME": ":memory:"},
        }
    }
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
MEDIA_ROOT = VAR_DIR / "test-media"
AXES_FAILURE_LIMIT = 5
CHUMCHON_REQUIRE_OTP = True
# Threads of the live server close their connections after each request (no leaks at teardown).
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
