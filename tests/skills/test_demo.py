from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from skills.models import Body, Certificate, EquipmentNeed, OccupationalStandard, TestSession


def test_the_demo_has_standards_sessions_certificates_and_equipment(db, client, settings, tmp_path):
    settings.SIGNING_KEYS_DIR = tmp_path / "keys"
    call_command("seed_demo", "--quiet-accounts")
    assert OccupationalStandard.objects.filter(body=Body.DSD).exists()
    assert OccupationalStandard.objects.filter(body=Body.TPQI).exists()
    assert OccupationalStandard.objects.filter(courses__institution__code="LPN-TECH").exists()
    sessions = TestSession.objects.filter(centre__code="LPN-DSD")
    assert sessions.filter(registration_open=True).count() == 1
    finished = sessions.get(registration_open=False)
    issued = Certificate.objects.filter(result__candidate__session=finished)
    assert issued.count() >= 3 and issued.filter(status="revoked").count() == 1
    assert EquipmentNeed.objects.filter(centre__code="LPN-DSD").count() >= 3

    users = get_user_model().objects
    client.force_login(users.get(username="learner"))
    mine = Certificate.objects.filter(learner__user__username="learner")
    assert mine.count() == 1
    assert mine.get().standard_name in client.get(reverse("skills:mine")).text
    client.force_login(users.get(username="testcentre"))
    assert client.get(reverse("skills:session", args=[finished.pk])).status_code == 200
