"""Each core test starts in the default language (Thai).

A request through the test client leaves its language active in the thread (LocaleMiddleware
activates it and nothing deactivates it), so a test that follows one made in English would
otherwise run in English.
"""

import pytest
from django.conf import settings
from django.utils import translation


@pytest.fixture(autouse=True)
def default_language():
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()
