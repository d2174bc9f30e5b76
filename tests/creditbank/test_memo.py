"""The {% memo %} fragments of the shared layout: same output as unmemoised, per language and
sign-in state, and never a per-visitor value inside."""

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import override_settings
from django.utils import translation

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _render(source, **context):
    return Template("{% load memo i18n %}" + source).render(Context(context))


def test_it_renders_once_per_language_and_value():
    template = Template(
        "{% load memo i18n %}{% memo flag %}{% translate 'Sign in' %}{{ n }}{% endmemo %}"
    )
    with translation.override("en"):
        assert template.render(Context({"flag": True, "n": 1})) == "Sign in1"
        assert template.render(Context({"flag": True, "n": 2})) == "Sign in1"  # memoised
        assert template.render(Context({"flag": False, "n": 3})) == "Sign in3"
    with translation.override("th"):
        assert template.render(Context({"flag": True, "n": 4})) != "Sign in1"


def test_it_forgets_on_settings_change():
    template = Template("{% load memo %}{% memo %}{{ n }}{% endmemo %}")
    assert template.render(Context({"n": 1})) == "1"
    with override_settings(STATIC_URL="/other/"):
        assert template.render(Context({"n": 2})) == "2"


def test_it_does_not_leak_variables_set_inside():
    assert _render("{% memo %}{% get_current_language as x %}{% endmemo %}[{{ x }}]") == "[]"


@pytest.mark.parametrize("inside", ["{% csrf_token %}", "{% block b %}{% endblock %}"])
def test_it_refuses_per_visitor_and_per_page_content(inside):
    with pytest.raises(TemplateSyntaxError):
        Template("{% load memo %}{% memo %}" + inside + "{% endmemo %}")


def test_layout_menus_follow_sign_in_and_staff(client):
    page = client.get("/").content.decode()
    assert 'data-testid="nav-my-credits"' not in page
    client.force_login(UserFactory())
    page = client.get("/").content.decode()
    assert 'data-testid="nav-my-credits"' in page
    assert "/admin/" not in page
    client.force_login(UserFactory(is_staff=True))
    assert "/admin/" in client.get("/").content.decode()
    client.logout()
    assert 'data-testid="nav-my-credits"' not in client.get("/").content.decode()
