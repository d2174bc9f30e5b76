from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("refresh/", views.dashboard_refresh, name="dashboard_refresh"),
    path("<str:dimension>.xlsx", views.dashboard_export, name="dashboard_export"),
]
