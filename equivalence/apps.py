from django.apps import AppConfig


class EquivalenceConfig(AppConfig):
    name = "equivalence"
