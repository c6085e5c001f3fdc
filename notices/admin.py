from django.contrib import admin

from notices.models import Notice, NoticePreference


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "kind", "delivery", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind", "delivery"]
    search_fields = ["title", "recipient__email"]
    raw_id_fields = ["recipient"]
    readonly_fields = ["key", "created_at", "emailed_at", "digested_at"]


@admin.register(NoticePreference)
class NoticePreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "delivery", "updated_at"]
    raw_id_fields = ["user"]
