from django.urls import path, re_path

from desk import views

app_name = "desk"
urlpatterns = [
    path("consult/", views.consult, name="consult"),
    path("consult/thanks/", views.consult_thanks, name="consult_thanks"),
    path("consult/privacy/", views.consult_privacy, name="consult_privacy"),
    path("consultations/", views.consultations, name="consultations"),
    re_path(
        r"^consultations/export\.(?P<fmt>csv|xlsx)$",
        views.consultations_export,
        name="consultations_export",
    ),
    path("consultations/new/", views.consultation_new, name="consultation_new"),
    path("consultations/<int:pk>/", views.consultation, name="consultation"),
    path("consultations/<int:pk>/edit/", views.consultation_edit, name="consultation_edit"),
    path("consultations/<int:pk>/move/", views.consultation_move, name="consultation_move"),
    path("consultations/<int:pk>/note/", views.consultation_note, name="consultation_note"),
    path(
        "consultations/<int:pk>/outcome/", views.consultation_outcome, name="consultation_outcome"
    ),
    path("consultations/requests/<int:pk>/accept/", views.request_accept, name="request_accept"),
    path("consultations/requests/<int:pk>/decline/", views.request_decline, name="request_decline"),
    path("partners/c/<str:number>/match/request/", views.match_request, name="match_request"),
]
