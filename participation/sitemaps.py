"""``/sitemap.xml``: each app's public pages (their ``sitemaps`` modules), one section each."""

from consultations import sitemaps as consultations
from evenements import sitemaps as evenements
from participation.core.sitemaps import Pages
from participation.territory import sitemaps as territory

SITEMAPS = {
    "pages": Pages(
        "core:home", "core:mentions_legales", "core:donnees_personnelles", "core:accessibilite"
    ),
    "referentiel": territory.PAGES,
    "quartiers": territory.QuartierSitemap(),
    "evenements-pages": evenements.PAGES,
    "evenements": evenements.EvenementSitemap(),
    "expressions-pages": consultations.PAGES,
    "consultations": consultations.ConsultationSitemap(),
    "reponses": consultations.AnswersSitemap(),
}
