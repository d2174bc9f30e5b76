from django.urls import path

from .views import mine, results, staff

app_name = "learners"

urlpatterns = [
    path("me/", mine.my_credits, name="my_credits"),
    path("", staff.learner_list, name="list"),
    path("new/", staff.learner_create, name="create"),
    path("<int:pk>/", staff.learner_detail, name="detail"),
    path("<int:pk>/unmask/", staff.learner_unmask, name="unmask"),
    path("<int:pk>/link/", staff.learner_link, name="link"),
    path("results/", results.upload_list, name="results_list"),
    path("results/new/", results.upload, name="results_upload"),
    path("results/template.xlsx", results.template_download, name="results_template"),
    path("results/<int:pk>/", results.upload_detail, name="results_detail"),
    path("results/<int:pk>/confirm/", results.upload_submit, name="results_submit"),
    path("results/<int:pk>/cancel/", results.upload_cancel, name="results_cancel"),
    path("results/<int:pk>/decide/", results.upload_decide, name="results_decide"),
    path("results/<int:pk>/checked.xlsx", results.upload_checked, name="results_checked"),
]
