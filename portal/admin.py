"""Admin of users and report jobs, for superusers."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from simple_history.admin import SimpleHistoryAdmin

from portal import access
from portal.models import ReportJob, User


class UserCreateForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("email", "full_name", "role", "corporation_number")


class UserEditForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    add_form = UserCreateForm
    form = UserEditForm
    ordering = ["email"]
    list_display = ["email", "full_name", "role", "organization", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_superuser"]
    search_fields = ["email", "full_name", "organization", "corporation_number"]
    readonly_fields = ["last_login", "date_joined", "invited_by"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("利用者", {"fields": ("full_name", "role", "organization", "corporation_number")}),
        ("権限", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("記録", {"fields": ("last_login", "date_joined", "invited_by")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "full_name",
                    "role",
                    "corporation_number",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    # The same role rule as the portal's own pages, should anyone but a superuser get here.
    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or access.can_change_user(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or access.can_change_user(request.user, obj))

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not access.can_grant_role(request.user, "staff", superuser=True):
            fields += ["is_superuser", "is_staff", "groups"]
        return fields


@admin.register(ReportJob)
class ReportJobAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "status", "progress", "attempts", "requested_by", "created_at"]
    list_filter = ["kind", "status"]
    readonly_fields = [f.name for f in ReportJob._meta.fields]
