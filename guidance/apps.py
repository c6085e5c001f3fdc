"""The guided three-STEP workflow of each consortium, and the dashboards."""

from django.apps import AppConfig


class GuidanceConfig(AppConfig):
    name = "guidance"
    verbose_name = "協働の進捗（3つのSTEP）"
