from django.urls import path

from .views import mine, pathway, privacy, results, staff, transcripts, transfers

app_name = "learners"

urlpatterns = [
    path("me/", mine.my_credits, name="my_credits"),
    path("me/transfers/new/", transfers.ask_mine, name="transfer_ask"),
    path("me/pathway/", pathway.pathway, name="pathway"),
    path("transfers/", transfers.queue, name="transfer_queue"),
    path("transfers/rules/", transfers.rules, name="transfer_rules"),
    path("transfers/rules/<int:pk>/delete/", transfers.rule_delete, name="transfer_rule_delete"),
    path("transfers/<int:pk>/", transfers.detail, name="transfer_detail"),
    path("transfers/<int:pk>/decide/", transfers.decide, name="transfer_decide"),
    path("transfers/<int:pk>/withdraw/", transfers.withdraw, name="transfer_withdraw"),
    path("<int:pk>/transfers/new/", transfers.ask_for, name="transfer_ask_for"),
    path("", staff.learner_list, name="list"),
    path("new/", staff.learner_create, name="create"),
    path("<int:pk>/", staff.learner_detail, name="detail"),
    path("<int:pk>/unmask/", staff.learner_unmask, name="unmask"),
    path("<int:pk>/link/", staff.learner_link, name="link"),
    path("me/transcripts/", transcripts.my_transcripts, name="my_transcripts"),
    path("me/transcripts/new/", transcripts.transcript_issue, name="transcript_issue"),
    path(
        "me/transcripts/<int:pk>/pdf/", transcripts.transcript_download, name="transcript_download"
    ),
    path(
        "me/transcripts/<int:pk>/revoke/",
        transcripts.transcript_revoke_mine,
        name="transcript_revoke_mine",
    ),
    path(
        "<int:pk>/transcripts/<int:transcript_pk>/revoke/",
        staff.transcript_revoke,
        name="transcript_revoke",
    ),
    path("me/shares/new/", transcripts.share_create, name="share_create"),
    path("me/shares/<int:pk>/revoke/", transcripts.share_revoke, name="share_revoke"),
    path("me/data/", privacy.my_data, name="my_data"),
    path("me/data.json", privacy.my_data_json, name="my_data_json"),
    path("me/data.xlsx", privacy.my_data_xlsx, name="my_data_xlsx"),
    path("shared/<str:token>/", transcripts.shared, name="shared"),
    path("shared/<str:token>/pdf/", transcripts.shared_pdf, name="shared_pdf"),
    path("verify/<str:serial>/", transcripts.transcript_verify, name="transcript_verify"),
    path("<int:pk>/privacy/", privacy.learner_privacy, name="privacy"),
    path("<int:pk>/privacy/erasure/", privacy.erasure_record, name="erasure_record"),
    path("erasure/<int:pk>/answer/", privacy.erasure_answer, name="erasure_answer"),
    path("results/", results.upload_list, name="results_list"),
    path("results/new/", results.upload, name="results_upload"),
    path("results/template.xlsx", results.template_download, name="results_template"),
    path("results/<int:pk>/", results.upload_detail, name="results_detail"),
    path("results/<int:pk>/confirm/", results.upload_submit, name="results_submit"),
    path("results/<int:pk>/cancel/", results.upload_cancel, name="results_cancel"),
    path("results/<int:pk>/decide/", results.upload_decide, name="results_decide"),
    path("results/<int:pk>/checked.xlsx", results.upload_checked, name="results_checked"),
]
