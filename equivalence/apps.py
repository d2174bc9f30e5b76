from django.apps import AppConfig


class EquivalenceConfig(AppConfig):
    name = "equivalence"

    def ready(self):
        from . import receivers  # noqa: F401  (connects the courses_changed receiver)
