from django.urls import path

from support import views

app_name = "support"
urlpatterns = [
    path("programmes/", views.programme_index, name="programmes"),
    path("programmes/new/", views.programme_edit, name="programme_create"),
    path("programmes/<slug:code>/", views.programme_detail, name="programme"),
    path("programmes/<slug:code>/edit/", views.programme_edit, name="programme_edit"),
    path("documents/", views.document_index, name="documents"),
    path("documents/new/", views.document_edit, name="document_create"),
    path("documents/<slug:slug>/", views.document_detail, name="document"),
    path("documents/<slug:slug>/edit/", views.document_edit, name="document_edit"),
    path("documents/<slug:slug>/publish/", views.document_publish, name="document_publish"),
    path("documents/<slug:slug>/download/", views.document_download, name="document_download"),
    path(
        "documents/<slug:slug>/v<int:number>/download/",
        views.document_download,
        name="document_version_download",
    ),
]
