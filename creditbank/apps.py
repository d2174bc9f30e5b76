from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditbankConfig(AppConfig):
    name = "creditbank"
    verbose_name = _("Credit bank core")

    def ready(self):
        from . import auth, db, security  # noqa: F401  (db registers the SQLite helper function)

        auth.connect_signals()

        security.assert_defusedxml()
