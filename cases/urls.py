from django.urls import path

from cases import views

app_name = "cases"
urlpatterns = [
    path("", views.index, name="index"),
    path("like-mine/", views.like_mine, name="like_mine"),
    path("compare/", views.compare, name="compare"),
    path("stats/", views.stats, name="stats"),
    path("<int:number>/", views.detail, name="detail"),
]
