from django.urls import path

from . import views

app_name = "equivalence"

urlpatterns = [
    path("", views.where_it_counts, name="where_it_counts"),
    path("queue/", views.queue, name="queue"),
    path("coverage/", views.coverage, name="coverage"),
    path("demand/", views.demand, name="demand"),
    path("workspace/", views.workspace, name="workspace"),
    path("workspace/candidates/", views.workspace_candidates, name="workspace_candidates"),
    path("propose/", views.propose, name="propose"),
    path("export.xlsx", views.export, name="export"),
    path("decisions/", views.decisions_upload, name="decisions_upload"),
    path("decisions/<int:pk>/", views.decisions_detail, name="decisions_detail"),
    path("decisions/<int:pk>/apply/", views.decisions_commit, name="decisions_commit"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
]
