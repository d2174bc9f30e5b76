from django.urls import path

from . import documents

urlpatterns = [
    path("rounds/<int:pk>/generate/", documents.round_generate, name="round_generate"),
    path("generated/<int:pk>/", documents.round_document_download, name="round_download"),
]
