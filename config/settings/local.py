"""Settings for `make run`: the embedded SQLite database and the demo data on one machine."""

import os

from .base import *  # noqa: F403
from .base import VAR_DIR, env_bool

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or (VAR_DIR / "secret_key").read_text().strip()
# Demo users log in without a second factor on a developer's machine; production has it on.
CHUMCHON_REQUIRE_OTP = env_bool("CHUMCHON_REQUIRE_OTP", False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
