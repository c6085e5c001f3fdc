"""portal.wsgi with production settings plus the bare view of bench/web_urls.py (bench only)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
settings.ROOT_URLCONF = "bench.web_urls"
