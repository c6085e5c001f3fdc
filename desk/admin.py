from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from desk.models import Consultation, IntroductionRequest


@admin.register(Consultation)
class ConsultationAdmin(SimpleHistoryAdmin):
    list_display = ("pk", "summary", "channel", "status", "owner", "received_at")
    list_filter = ("status", "channel")
    raw_id_fields = ("corporation", "owner", "created_by")


@admin.register(IntroductionRequest)
class IntroductionRequestAdmin(SimpleHistoryAdmin):
    list_display = ("pk", "corporation", "status", "requested_at")
    raw_id_fields = ("corporation", "candidates", "introduction", "consultation")
