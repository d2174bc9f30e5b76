from django.urls import reverse

from ..factories import UserFactory

PASSWORD = "pass-1234-word"


def _login(client, username, password, ip="10.1.1.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_sign_in_and_out(client, world):
    response = _login(client, "owner", PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("institutions:list")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("institutions:list")).status_code == 302


def test_wrong_password_gives_no_hint_whether_the_user_exists(client, world):
    client.cookies["creditbank_language"] = "en"
    wrong_password = _login(client, "owner", "nope").content.decode()
    no_such_user = _login(client, "ghost", "nope").content.decode()
    assert "Please enter a correct username and password" in wrong_password
    assert "Please enter a correct username and password" in no_such_user


def test_lockout_is_per_username_and_address(client, settings, world):
    settings.AXES_FAILURE_LIMIT = 3
    client.cookies["creditbank_language"] = "en"
    for _ in range(3):
        _login(client, "owner", "wrong", ip="10.0.0.7")
    locked = _login(client, "owner", PASSWORD, ip="10.0.0.7")
    assert locked.status_code == 429
    assert "Try again after" in locked.content.decode()
    # A colleague behind the same school NAT address is not locked out...
    assert _login(client, "member", PASSWORD, ip="10.0.0.7").status_code == 302
    client.post(reverse("logout"))
    # ...and neither is the same user from another address.
    assert _login(client, "owner", PASSWORD, ip="10.9.9.9").status_code == 302


def test_lockout_cools_off(client, settings, world):
    from datetime import timedelta

    from axes.models import AccessAttempt

    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        _login(client, "owner", "wrong", ip="10.0.0.8")
    assert _login(client, "owner", PASSWORD, ip="10.0.0.8").status_code == 429
    # Pretend the cool-off has passed.
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.first().attempt_time - timedelta(hours=1)
    )
    assert _login(client, "owner", PASSWORD, ip="10.0.0.8").status_code == 302


def test_password_change(client, world):
    client.force_login(world.owner)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-Secret-42",
            "new_password2": "a-new-Secret-42",
        },
    )
    assert response.status_code == 302
    world.owner.refresh_from_db()
    assert world.owner.check_password("a-new-Secret-42")


def test_password_reset_sends_a_console_mail(client, db, mailoutbox):
    UserFactory(username="forgetful", email="forgetful@example.test")
    response = client.post(reverse("password_reset"), {"email": "forgetful@example.test"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/accounts/password/reset/" in mailoutbox[0].body
