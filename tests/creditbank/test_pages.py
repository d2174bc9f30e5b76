import subprocess
import sys
from pathlib import Path

from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def test_every_html_response_has_security_headers(client, world):
    client.force_login(world.owner)
    for url in [reverse("home"), reverse("institutions:list"), reverse("login")]:
        response = client.get(url)
        csp = response["Content-Security-Policy"]
        assert "default-src 'self'" in csp
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"


def test_no_inline_script_without_a_nonce(client, world):
    client.force_login(world.centre)
    body = client.get(reverse("institutions:list")).content.decode()
    import re

    for tag in re.findall(r"<script[^>]*>", body):
        assert "src=" in tag or "nonce=" in tag, tag


def test_nothing_is_loaded_from_another_origin(client, world):
    client.force_login(world.centre)
    body = client.get(reverse("institutions:list")).content.decode()
    assert "http://" not in body.replace("http://testserver", "")
    assert "https://" not in body


def test_unknown_url_is_the_projects_404_in_thai_and_english(client, db):
    client.cookies["creditbank_language"] = "th"
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert 'data-testid="error-404"' in response.content.decode()
    assert "หน้าที่คุณต้องการ" in response.content.decode()
    client.cookies["creditbank_language"] = "en"
    assert "does not exist" in client.get("/no/such/page/").content.decode()


def test_language_switch_changes_the_page_language(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert 'lang="en"' in client.get("/").content.decode()
    client.post(reverse("set_language"), {"language": "th", "next": "/"})
    assert 'lang="th"' in client.get("/").content.decode()


def test_home_shows_each_role_its_tasks(client, world):
    from institutions.models import Membership

    client.force_login(world.centre)
    body = client.get("/").content.decode()
    assert reverse("institutions:list") in body
    reviewer = world.nobody
    from ..factories import grant

    grant(reviewer, world.peo_a, Membership.Role.COMMITTEE_REVIEWER)
    client.force_login(reviewer)
    client.cookies["creditbank_language"] = "en"
    body = client.get("/").content.decode()
    assert "Equivalence committee" in body


def test_thai_is_the_default_whatever_the_browser_asks(client, db):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="th"' in response.content.decode()


def test_debug_is_off_outside_local(settings):
    assert settings.DEBUG is False


def _run_with(settings_module, extra_env, *args):
    import os

    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"))
    }
    env.update({"DJANGO_SETTINGS_MODULE": settings_module, **extra_env})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_secrets():
    result = _run_with("creditbank.settings.production", {}, "check")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    result = _run_with(
        "creditbank.settings.production", {"SECRET_KEY": "x" * 20 + "-random-" + "y" * 40}, "check"
    )
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_passes_the_deploy_check():
    result = _run_with(
        "creditbank.settings.production",
        {
            "SECRET_KEY": "k9Fz-2Qp!vR7w#Lx0mT4^bN8cY1s@Hj6eU3gA5dK*oP9iW2rZ7qX",
            "ALLOWED_HOSTS": "portal.example.go.th",
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_collectstatic_finds_every_referenced_file(tmp_path):
    """The manifest storage fails on any missing file a CSS/JS file points to (source maps…)."""
    result = _run_with(
        "creditbank.settings.production",
        {
            "SECRET_KEY": "k9Fz-2Qp!vR7w#Lx0mT4^bN8cY1s@Hj6eU3gA5dK*oP9iW2rZ7qX",
            "ALLOWED_HOSTS": "portal.example.go.th",
            "STATIC_ROOT": str(tmp_path / "static"),
        },
        "collectstatic",
        "--noinput",
        "-v0",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "static" / "staticfiles.json").exists()


def test_favicon_ico_leads_to_the_icon_every_page_names(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 302  # the hashed name changes with each release
    assert response["Location"].endswith("img/favicon.svg")
    home = client.get(reverse("home")).content.decode()
    assert f'href="{response["Location"]}"' in home
