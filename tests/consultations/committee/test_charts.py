"""The committee's monthly chart and the staff pages' dates name each month unambiguously."""

import datetime as dt

from django.template import Context, Template
from django.utils import translation

from consultations.committee.charts import column_chart


def test_june_and_july_read_differently_under_the_columns():
    with translation.override("fr"):
        chart = column_chart([(dt.date(2026, 6, 1), 4), (dt.date(2026, 7, 1), 2)])

    # Django's three-letter French months were « Jui » for both June and July.
    assert [column.label for column in chart.columns] == ["06/26", "07/26"]
    assert [column.full_label for column in chart.columns] == ["juin 2026", "juillet 2026"]


def test_staff_dates_use_the_french_abbreviations():
    moment = dt.datetime(2026, 7, 3, 14, 5)
    with translation.override("fr"):
        shown = Template('{{ moment|date:"j N Y, H:i" }}').render(Context({"moment": moment}))

    assert shown == "3 juil. 2026, 14:05"
