from django.urls import path, re_path

from partners import views

app_name = "partners"
urlpatterns = [
    path("", views.index, name="index"),
    re_path(r"^export\.(?P<fmt>csv|xlsx)$", views.export, name="export"),
    path("c/<str:number>/", views.corporation, name="corporation"),
    path("c/<str:number>/profile/", views.profile_edit, name="profile_edit"),
    path("c/<str:number>/match/", views.match, name="match"),
    path("weights/", views.weights_save, name="weights_save"),
    path("imports/", views.imports, name="imports"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/rejects.csv", views.import_rejects, name="import_rejects"),
    path("introductions/", views.introductions, name="introductions"),
    path("introductions/new/", views.introduction_new, name="introduction_new"),
    path("introductions/<int:pk>/", views.introduction, name="introduction"),
    path("introductions/<int:pk>/move/", views.introduction_move, name="introduction_move"),
    path(
        "introductions/<int:pk>/respond/", views.introduction_respond, name="introduction_respond"
    ),
    path(
        "introductions/<int:pk>/record-answer/",
        views.introduction_record_answer,
        name="introduction_record_answer",
    ),
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
    path("meetings/<int:pk>/add/", views.meeting_add, name="meeting_add"),
    path("meetings/<int:pk>/group/", views.meeting_group, name="meeting_group"),
    path("meetings/<int:pk>/move/", views.meeting_move, name="meeting_move"),
    path("meetings/<int:pk>/remove/", views.meeting_remove, name="meeting_remove"),
    path("meetings/series/", views.meeting_series, name="meeting_series"),
    path("meetings/mine/", views.my_meetings, name="my_meetings"),
    path("meetings/<int:pk>/schedule/", views.meeting_schedule, name="meeting_schedule"),
    path("meetings/<int:pk>/invite/", views.meeting_invite, name="meeting_invite"),
    path("meetings/<int:pk>/attendance/", views.meeting_attendance, name="meeting_attendance"),
    path("meetings/<int:pk>/minutes/", views.meeting_minutes, name="meeting_minutes"),
    path(
        "meetings/<int:pk>/minutes/file/", views.meeting_minutes_file, name="meeting_minutes_file"
    ),
    path("meetings/<int:pk>/introduce/", views.meeting_introduce, name="meeting_introduce"),
    path("meetings/<int:pk>/event.ics", views.meeting_ics, name="meeting_ics"),
    path("meetings/<int:pk>/invitation/", views.meeting_invitation, name="meeting_invitation"),
    path("meetings/<int:pk>/invitation/answer/", views.meeting_answer, name="meeting_answer"),
    path(
        "meetings/<int:pk>/invitation/questionnaire/",
        views.meeting_questionnaire,
        name="meeting_questionnaire",
    ),
    path("rsvp/<str:token>/", views.rsvp, name="rsvp"),
    path("rsvp/<str:token>/answer/", views.rsvp_answer, name="rsvp_answer"),
    re_path(
        r"^meetings/(?P<pk>\d+)/groups\.(?P<fmt>csv|xlsx)$",
        views.meeting_export,
        name="meeting_export",
    ),
]
