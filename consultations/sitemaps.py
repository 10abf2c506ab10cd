"""Consultations' public pages for ``/sitemap.xml`` (participation.core.sitemaps): the lists,
the consultations, and « Vous avez dit, nous avons fait » of each quartier. Residents'
expressions are not listed one by one: their pages are reached from these lists."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from participation.core.sitemaps import Pages
from participation.territory.models import Quartier

from .models import Consultation

PAGES = Pages(
    "consultations:expression_list",
    "consultations:consultation_list",
    "consultations:retours",
)


class ConsultationSitemap(Sitemap):
    def items(self):
        return Consultation.objects.order_by("-opens_on", "title").only("slug")


class AnswersSitemap(Sitemap):
    def items(self):
        return Quartier.objects.order_by("position", "name").only("slug")

    def location(self, item) -> str:
        return reverse("consultations:retours_quartier", kwargs={"slug": item.slug})
