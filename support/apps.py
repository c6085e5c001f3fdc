"""Support programmes and model documents: what the window hands providers at each stage."""

from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "support"
    verbose_name = "支援策・ひな形集"
