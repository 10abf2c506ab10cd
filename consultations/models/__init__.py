from .consultation import Consultation, ConsultationQuerySet
from .expression import (
    FIELD_SOURCES,
    LISTED_STATUSES,
    PUBLIC_STATUSES,
    SEARCH_CONFIG,
    AgeGroup,
    Expression,
    ExpressionQuerySet,
    ExpressionStep,
    Signalement,
    Source,
    Status,
    Support,
    Visibility,
)

__all__ = [
    "FIELD_SOURCES",
    "LISTED_STATUSES",
    "PUBLIC_STATUSES",
    "SEARCH_CONFIG",
    "AgeGroup",
    "Consultation",
    "ConsultationQuerySet",
    "Expression",
    "ExpressionQuerySet",
    "ExpressionStep",
    "Signalement",
    "Source",
    "Status",
    "Support",
    "Visibility",
]
