"""``{% memo [value ...] %}…{% endmemo %}``: render a fragment once per process and reuse it.

For the parts of the shared layout that are the same for everybody (navigation links, language
buttons, footer, script tags): dozens of ``{% url %}`` reversals, ``{% static %}`` paths and
translations that cost more than a cached page body. The output is keyed by the active language,
the script prefix, the URLconf, the values given (e.g. ``user.is_authenticated``) and a
generation that any settings change bumps (tests override settings). So a fragment may depend
only on those: never on the user's identity, the request or the database. The tag refuses
``{% block %}`` (a child template would get another page's block) and ``{% csrf_token %}``
(a token is per visitor) inside it. Values must be small and hashable (booleans, short strings),
never ids: each distinct combination is kept for the life of the process.
"""

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaulttags import CsrfTokenNode
from django.template.loader_tags import BlockNode
from django.urls import get_script_prefix, get_urlconf
from django.utils import translation

register = template.Library()

MAX_ENTRIES_PER_FRAGMENT = 64
_generation = 0


@receiver(setting_changed)
def _forget(**kwargs):
    global _generation
    _generation += 1


class MemoNode(template.Node):
    def __init__(self, nodelist, vary):
        self.nodelist = nodelist
        self.vary = vary
        self.rendered = {}

    def render(self, context):
        key = (
            _generation,
            translation.get_language(),
            get_script_prefix(),
            get_urlconf(),
            *(value.resolve(context) for value in self.vary),
        )
        html = self.rendered.get(key)
        if html is None:
            # Its own context layer: variables set inside ({% ... as x %}) never leak out, so
            # the page renders the same whether the fragment came from the memo or not.
            with context.push():
                html = self.nodelist.render(context)
            if len(self.rendered) >= MAX_ENTRIES_PER_FRAGMENT:
                self.rendered.clear()
            self.rendered[key] = html
        return html


@register.tag
def memo(parser, token):
    vary = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    for forbidden in (BlockNode, CsrfTokenNode):
        if nodelist.get_nodes_by_type(forbidden):
            raise template.TemplateSyntaxError(
                f"{{% memo %}} cannot hold a {forbidden.__name__}: its output is per page or "
                "per visitor."
            )
    return MemoNode(nodelist, vary)
