from django.urls import path

from guidance import views

app_name = "guidance"
urlpatterns = [
    path("consortia/", views.index, name="index"),
    path("consortia/new/", views.create, name="create"),
    path(
        "consortia/from-introduction/<int:intro_pk>/",
        views.from_introduction,
        name="from_introduction",
    ),
    path("consortia/referrals/", views.referrals, name="referrals"),
    path("consortia/referrals/<int:referral_pk>/move/", views.referral_move, name="referral_move"),
    path("consortia/invitations/<int:membership_pk>/", views.invitation, name="invitation"),
    path(
        "consortia/invitations/<int:membership_pk>/accept/",
        views.invitation_accept,
        name="invitation_accept",
    ),
    path(
        "consortia/invitations/<int:membership_pk>/decline/",
        views.invitation_decline,
        name="invitation_decline",
    ),
    path(
        "consortia/invitations/<int:membership_pk>/record/",
        views.invitation_record,
        name="invitation_record",
    ),
    path("consortia/templates/", views.templates_list, name="templates"),
    path("consortia/templates/new/", views.template_edit, name="template_new"),
    path("consortia/templates/<int:template_pk>/", views.template_edit, name="template_edit"),
    path("consortia/experts/", views.experts, name="experts"),
    path("consortia/experts/<int:expert_pk>/", views.expert_edit, name="expert_edit"),
    path("consortia/<int:pk>/members/", views.members, name="members"),
    path("consortia/<int:pk>/members/invite/", views.member_invite, name="member_invite"),
    path(
        "consortia/<int:pk>/members/<int:membership_pk>/leave/",
        views.member_leave,
        name="member_leave",
    ),
    path("consortia/<int:pk>/partners/add/", views.partner_add, name="partner_add"),
    path("consortia/<int:pk>/", views.detail, name="detail"),
    path("consortia/<int:pk>/checklist/", views.checklist, name="checklist"),
    path("consortia/<int:pk>/items/<int:item_pk>/", views.item, name="item"),
    path("consortia/<int:pk>/items/<int:item_pk>/status/", views.item_status, name="item_status"),
    path("consortia/<int:pk>/items/<int:item_pk>/evidence/", views.evidence, name="evidence"),
    path("consortia/<int:pk>/advance/", views.advance, name="advance"),
    path("consortia/<int:pk>/kpis/", views.kpis, name="kpis"),
    path("consortia/<int:pk>/kpis/goals/add/", views.goal_add, name="goal_add"),
    path("consortia/<int:pk>/kpis/add/", views.kpi_add, name="kpi_add"),
    path("consortia/<int:pk>/kpis/measure/", views.measurement_add, name="measurement_add"),
    path("consortia/<int:pk>/measurements/", views.measurements, name="measurements"),
    path(
        "consortia/<int:pk>/measurements/<int:measurement_pk>/edit/",
        views.measurement_edit,
        name="measurement_edit",
    ),
    path(
        "consortia/<int:pk>/measurements/<int:measurement_pk>/delete/",
        views.measurement_delete,
        name="measurement_delete",
    ),
    path("consortia/<int:pk>/actions/", views.actions, name="actions"),
    path("consortia/<int:pk>/actions/add/", views.action_add, name="action_add"),
    path("consortia/<int:pk>/activities/add/", views.activity_add, name="activity_add"),
    path("consortia/<int:pk>/actions/<int:action_pk>/done/", views.action_done, name="action_done"),
    path("consortia/<int:pk>/actions/<int:action_pk>/edit/", views.action_edit, name="action_edit"),
    path(
        "consortia/<int:pk>/actions/<int:action_pk>/delete/",
        views.action_delete,
        name="action_delete",
    ),
    path(
        "consortia/<int:pk>/activities/<int:activity_pk>/edit/",
        views.activity_edit,
        name="activity_edit",
    ),
    path(
        "consortia/<int:pk>/activities/<int:activity_pk>/delete/",
        views.activity_delete,
        name="activity_delete",
    ),
    path(
        "consortia/<int:pk>/actions/<int:action_pk>/reopen/",
        views.action_reopen,
        name="action_reopen",
    ),
    path("consortia/<int:pk>/help/", views.help_page, name="help"),
]
