"""Settings for the test suite: a throw-away data directory and fast hashing."""

import os
import tempfile

os.environ["ANPAI_TESTING"] = "1"
os.environ.setdefault("ANPAI_DATA_DIR", tempfile.mkdtemp(prefix="anpai-test-"))

from anpai.settings import *  # noqa: F403

# Tests must not depend on a developer's .env or a running mail server.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
