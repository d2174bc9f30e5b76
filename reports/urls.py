"""Reports URLs: rounds and agency parts, generated reports, and the provincial dashboard.

Each part keeps its own URL list (all names live in the ``reports`` namespace).
"""

from django.urls import include, path

app_name = "reports"

urlpatterns = [
    path("", include("reports.views.rounds_urls")),
    path("", include("reports.views.documents_urls")),
    path("dashboard/", include("reports.dashboard.urls")),
]
