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
