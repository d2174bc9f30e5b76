from django.urls import path

from . import views

app_name = "courses"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("export.xlsx", views.catalogue_export, name="catalogue_export"),
    path("<int:pk>/", views.course_detail, name="detail"),
    path("manage/", views.course_manage, name="manage"),
    path("review/", views.review, name="review"),
    path("progress/", views.collection_progress, name="progress"),
    path("uploads/", views.my_uploads, name="my_uploads"),
    path("uploads/new/", views.upload, name="upload"),
    path("uploads/template.xlsx", views.template_download, name="template"),
    path("uploads/<int:pk>/", views.upload_detail, name="upload_detail"),
    path("uploads/<int:pk>/confirm/", views.upload_commit, name="upload_commit"),
    path("uploads/<int:pk>/cancel/", views.upload_cancel, name="upload_cancel"),
    path("uploads/<int:pk>/checked.xlsx", views.upload_errors, name="upload_errors"),
]
