from django.urls import path

from . import rounds

urlpatterns = [
    path("rounds/", rounds.round_list, name="rounds"),
    path("rounds/new/", rounds.round_create, name="round_create"),
    path("rounds/<int:pk>/", rounds.round_detail, name="round"),
    path("rounds/<int:pk>/state/", rounds.round_state, name="round_state"),
    path("rounds/<int:pk>/reorder/", rounds.round_reorder, name="round_reorder"),
    path("parts/<int:pk>/", rounds.part_edit, name="part"),
    path("parts/<int:pk>/sections/<str:section>/", rounds.section_save, name="section_save"),
    path("parts/<int:pk>/activities/", rounds.part_insert_activities, name="part_activities"),
    path("parts/<int:pk>/submit/", rounds.part_submit, name="part_submit"),
    path("activities/", rounds.activity_list, name="activities"),
    path("activities/new/", rounds.activity_create, name="activity_create"),
    path("activities/<int:pk>/edit/", rounds.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/delete/", rounds.activity_delete, name="activity_delete"),
]
