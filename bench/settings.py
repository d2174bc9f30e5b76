"""Settings for benchmarks: production-like (DEBUG off, same middleware), persistent connections,
plus bench/urls.py, which adds the bare baseline view that production never serves."""

from creditbank.settings.base import *

DEBUG = False
ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
DATABASES["default"]["CONN_MAX_AGE"] = 600
TEMPLATES[0]["DIRS"] = [BASE_DIR / "templates", BASE_DIR / "bench" / "templates"]
LOGGING["root"]["level"] = "WARNING"
