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
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
]
