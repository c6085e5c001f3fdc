"""The provider registry and matchmaking."""

from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "事業者台帳・マッチング"
