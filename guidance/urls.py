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
    path("consortia/templates/", views.templates_list, name="templates"),
    path("consortia/templates/new/", views.template_edit, name="template_new"),
    path("consortia/templates/<int:template_pk>/", views.template_edit, name="template_edit"),
    path("consortia/experts/", views.experts, name="experts"),
    path("consortia/experts/<int:expert_pk>/", views.expert_edit, name="expert_edit"),
    path("consortia/<int:pk>/members/", views.members, name="members"),
    path("consortia/<int:pk>/", views.detail, name="detail"),
    path("consortia/<int:pk>/checklist/", views.checklist, name="checklist"),
    path("consortia/<int:pk>/items/<int:item_pk>/", views.item, name="item"),
    path("consortia/<int:pk>/items/<int:item_pk>/status/", views.item_status, name="item_status"),
    path("consortia/<int:pk>/items/<int:item_pk>/evidence/", views.evidence, name="evidence"),
    path("consortia/<int:pk>/advance/", views.advance, name="advance"),
    path("consortia/<int:pk>/kpis/", views.kpis, name="kpis"),
    path("consortia/<int:pk>/actions/", views.actions, name="actions"),
    path("consortia/<int:pk>/help/", views.help_page, name="help"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
