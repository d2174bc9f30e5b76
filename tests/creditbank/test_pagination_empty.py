from django.urls import reverse


def test_a_signed_in_user_without_memberships_sees_an_empty_institution_list(client, world):
    """A learner's account has no membership: its scope filters on an empty id list, which the
    cached count used to turn into a server error."""
    client.force_login(world.nobody)
    response = client.get(reverse("institutions:list"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0
