"""The signed-in user's row comes from the cache, and any change to the user drops it."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ..factories import UserFactory


def _user_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    table = UserFactory._meta.model._meta.db_table
    return response, [q["sql"] for q in queries if f'FROM "{table}"' in q["sql"]]


def test_a_signed_in_request_reads_the_user_from_the_cache(client, world):
    client.force_login(world.owner)
    url = reverse("institutions:list")
    first, first_queries = _user_queries(client, url)
    second, second_queries = _user_queries(client, url)
    assert first.status_code == second.status_code == 200
    assert len(first_queries) == 1  # the first request loads and caches the row
    assert second_queries == []


def test_deactivating_a_user_signs_them_out_at_the_next_request(client, world):
    client.force_login(world.owner)
    url = reverse("institutions:list")
    assert client.get(url).status_code == 200
    world.owner.is_active = False
    world.owner.save()
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_a_password_change_elsewhere_ends_this_session(client, world):
    client.force_login(world.owner)
    url = reverse("institutions:list")
    assert client.get(url).status_code == 200
    world.owner.set_password("a-new-secret-9876")
    world.owner.save()
    assert client.get(url).status_code == 302


def test_a_deleted_user_is_signed_out(client, world):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("home")).wsgi_request.user.is_authenticated
    user.delete()
    assert not client.get(reverse("home")).wsgi_request.user.is_authenticated
