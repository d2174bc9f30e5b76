from django.urls import path

from .views import centres, certificates, public, sessions, standards

app_name = "skills"

urlpatterns = [
    path("", public.catalogue, name="catalogue"),
    path("standards/<int:pk>/", public.standard_detail, name="standard"),
    path("standards/new/", standards.national_standard_create, name="standard_new"),
    path("standards/<int:pk>/edit/", standards.standard_edit, name="standard_edit"),
    path("verify/<str:public_id>/<str:token>/", public.verify, name="verify"),
    path("verify/<str:public_id>/<str:token>/badge.json", public.badge, name="badge"),
    path("status-list.json", public.status_list, name="status_list"),
    path("keys/<str:kid>", public.key, name="key"),
    path("centres/", centres.centre_list, name="centres"),
    path("centres/<int:pk>/", centres.centre_detail, name="centre"),
    path("centres/<int:pk>/branch-request/", centres.branch_request, name="branch_request"),
    path("centres/<int:pk>/equipment/", centres.equipment_add, name="equipment_add"),
    path("centres/<int:pk>/sessions/new/", centres.session_create, name="session_create"),
    path("centres/<int:pk>/standards/new/", standards.standard_create, name="standard_create"),
    path(
        "branch-requests/<int:pk>/decide/",
        centres.branch_request_decide,
        name="branch_request_decide",
    ),
    path("equipment/<int:pk>/status/", centres.equipment_status, name="equipment_status"),
    path("sessions/<int:pk>/", sessions.session_detail, name="session"),
    path("sessions/<int:pk>/register/", sessions.register, name="register"),
    path("sessions/<int:pk>/registration/", sessions.registration, name="registration"),
    path("sessions/<int:pk>/results/", sessions.results, name="results"),
    path(
        "sessions/<int:pk>/results/template.xlsx",
        sessions.results_template,
        name="results_template",
    ),
    path("sessions/<int:pk>/results/upload/", sessions.results_upload, name="results_upload"),
    path("sessions/<int:pk>/issue/", sessions.issue, name="issue"),
    path("sessions/<int:pk>/print/", sessions.print_certificates, name="print"),
    path("uploads/<int:pk>/", sessions.upload_detail, name="upload"),
    path("uploads/<int:pk>/checked.xlsx", sessions.results_checked, name="results_checked"),
    path("uploads/<int:pk>/commit/", sessions.upload_commit, name="upload_commit"),
    path("uploads/<int:pk>/cancel/", sessions.upload_cancel, name="upload_cancel"),
    path("certificates/mine/", certificates.mine, name="mine"),
    path("certificates/<int:pk>/", certificates.certificate_detail, name="certificate"),
    path("certificates/<int:pk>/pdf/", certificates.certificate_pdf, name="certificate_pdf"),
    path("certificates/<int:pk>/revoke/", certificates.revoke, name="revoke"),
]
