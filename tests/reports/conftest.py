import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from reports.models import InspectionRound


@pytest.fixture
def demo(db, settings, tmp_path):
    """The Lamphun demo with its round 1 of B.E. 2567 (the seed report's facts)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SIGNING_KEYS_DIR = tmp_path / "keys"
    call_command("seed_demo", "--quiet-accounts")
    users = {u.username: u for u in get_user_model().objects.all()}
    round_ = InspectionRound.objects.get(province__slug="lamphun", fiscal_year=2567, number=1)
    return users, round_


def part_of(round_, code):
    return round_.contributions.get(institution__code=code)
