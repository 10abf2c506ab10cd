"""The « consultations » URL namespace, composed from the features' own routes."""

from .committee import urls as committee_urls
from .expressions import urls as expressions_urls
from .gestion import urls as gestion_urls
from .moderation import urls as moderation_urls

app_name = "consultations"

urlpatterns = [
    *gestion_urls.urlpatterns,  # first: « consultations/nouvelle/ » is not a slug
    *expressions_urls.urlpatterns,
    *moderation_urls.urlpatterns,
    *committee_urls.urlpatterns,
]
