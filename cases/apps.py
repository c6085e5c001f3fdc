"""The case library: the report's 29 collaborations and local cases."""

from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "事例ライブラリ"
