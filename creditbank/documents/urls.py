from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("<int:pk>/", views.document_status, name="status"),
    path("<int:pk>/download/", views.document_download, name="download"),
    path("<int:pk>/retry/", views.document_retry, name="retry"),
]
