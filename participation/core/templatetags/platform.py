from django import template
from django.template import Node
from django.templatetags.static import static
from django.utils import translation

from ..addresses import absolute_url

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``{{ counts|get_item:objectif.pk }}``: a dict lookup by a variable key."""
    if not mapping:
        return None
    return mapping.get(key)


class ConstantNode(Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist
        self.rendered: dict[str, str] = {}

    def render(self, context):
        language = translation.get_language() or ""
        html = self.rendered.get(language)
        if html is None:
            html = self.nodelist.render(context.new())  # the template's, none of its values
            self.rendered[language] = html
        return html


@register.tag
def constant(parser, token):
    """``{% constant %}…{% endconstant %}``: markup that depends on nothing but the deployment
    (links, words, static files), drawn without the page's context once per process and
    language, then repeated: the parts of the base page that every request would otherwise
    draw again (each ``{% url %}`` costs some 45 µs)."""
    nodelist = parser.parse(("endconstant",))
    parser.delete_first_token()
    return ConstantNode(nodelist)


@register.simple_tag
def public_url(path: str = "", *, static_file: str = "") -> str:
    """``path`` (or a static file) at the public address, ``SITE_URL``: what a link shared in a
    message or read by a search engine must hold (a page's own ``href`` stays relative)."""
    return absolute_url(static(static_file) if static_file else path)
