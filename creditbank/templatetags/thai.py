import datetime as dt

from django import template
from django.utils import timezone, translation

from creditbank import thai

register = template.Library()


@register.filter
def thai_digits(value):
    """``{{ 2567|thai_digits }}`` → ๒๕๖๗."""
    return thai.to_thai_digits(value)


def _local(value):
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


@register.filter
def be_date(value, style="long"):
    """A date in the current language; Thai shows the Buddhist-era year."""
    value = _local(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    return thai.format_date(value, language=translation.get_language() or "th", style=style)


@register.filter
def be_datetime(value):
    value = _local(value)
    if not value:
        return ""
    date_part = thai.format_date(
        value.date(), language=translation.get_language() or "th", style="short"
    )
    return f"{date_part} {value:%H:%M}"


@register.filter
def be_year(value):
    """An academic or fiscal year stored in B.E.: shown as is in Thai, as C.E. in English."""
    if value in (None, ""):
        return ""
    if (translation.get_language() or "th").startswith("th"):
        return f"{value}"
    return f"{int(value) - thai.BE_OFFSET}"


@register.simple_tag(takes_context=True)
def query_transform(context, **kwargs):
    """Rebuild the current query string with some parameters replaced (for pagination links)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


@register.filter
def select_options(bound_field):
    """``<option>`` tags for a choice field, rendered in Python.

    Django's widget templates render each option through the template engine, which on a
    77-province filter bar costs more than the rest of the page.
    """
    from django.utils.html import format_html_join
    from django.utils.safestring import mark_safe

    current = bound_field.value()
    current = "" if current is None else str(current)
    rows = []
    for value, label in bound_field.field.choices:
        selected = mark_safe(" selected") if str(value) == current else ""
        rows.append((value, selected, label))
    return format_html_join("", '<option value="{}"{}>{}</option>', rows)
