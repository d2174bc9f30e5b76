from django.core.management import call_command
from django.urls import reverse

from equivalence.models import EquivalenceMapping, MappingCourse
from equivalence.services import suggestions
from institutions.models import Province


def test_the_demo_has_mappings_in_every_state_and_a_ready_index(db, client):
    call_command("seed_demo", "--quiet-accounts")
    statuses = set(EquivalenceMapping.objects.values_list("status", flat=True))
    assert {"approved", "proposed", "rejected"} <= statuses
    # Schools' occupational courses (and the learners demo's NFE courses) → colleges' ปวช. courses.
    from_schools = 0
    for link in MappingCourse.objects.select_related("course__institution"):
        institution = link.course.institution
        if link.side == "source":
            assert institution.extended_opportunity or institution.kind == "nfe_centre"
            from_schools += institution.extended_opportunity and link.course.code.startswith("ง")
        else:
            assert institution.kind == "vocational_college" and link.course.level == "voc_cert"
    assert from_schools >= 5
    n_to_m = [m for m in EquivalenceMapping.objects.all() if len(m.sources) == 2]
    assert n_to_m and n_to_m[0].status == "approved"
    lamphun = Province.objects.get(slug="lamphun")
    assert len(suggestions.load_index(lamphun, build_missing=False)) > 50

    body = client.get(
        reverse("equivalence:where_it_counts"), {"province": "lamphun", "q": "ง21204"}
    ).content.decode()
    assert "20104-2005" in body
