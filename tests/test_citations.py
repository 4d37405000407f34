"""Citations, meetings and designations in each language's UN usage, from the records."""

import pytest
from django.utils import translation

from mandates.models import Paragraph, Resolution

pytestmark = pytest.mark.django_db


def in_both(make):
    with translation.override("en"):
        english = make()
    with translation.override("fr"):
        french = make()
    return english, french


def test_pinpoint_citation():
    paragraph = Paragraph.objects.get(resolution__slug="2199-2015", number=17)
    assert in_both(lambda: paragraph.citation) == (
        "Security Council resolution 2199 (2015), para. 17",
        "résolution 2199 (2015) du Conseil de sécurité, par. 17",
    )


def test_paragraph_without_a_number_is_never_given_one():
    paragraph = Paragraph.objects.get(resolution__slug="68-186", number=None)
    assert paragraph.anchor == f"passage-{paragraph.position}"
    assert in_both(lambda: paragraph.citation) == (
        "General Assembly resolution 68/186, paragraph number not established",
        "résolution 68/186 de l'Assemblée générale, numéro de paragraphe non établi",
    )


def test_annex_paragraph():
    paragraph = Paragraph.objects.get(resolution__slug="65-230", number=12)
    assert in_both(lambda: paragraph.citation)[0] == (
        "General Assembly resolution 65/230, annex, para. 12"
    )


def test_resolution_without_a_number():
    resolution = Resolution.objects.get(body__code="GA", slug="2018-12-13")
    assert in_both(lambda: resolution.citation) == (
        "General Assembly resolution of 13 December 2018",
        "résolution de l'Assemblée générale du 13 décembre 2018",
    )
    assert in_both(lambda: resolution.name) == (
        "GA resolution of 13 December 2018",
        "résolution de l'AG du 13 décembre 2018",
    )
    assert in_both(lambda: resolution.short_name) == (
        "GA res. of 13 Dec 2018",
        "rés. de l'AG du 13 déc. 2018",
    )


def test_decision_and_meeting():
    decision = Resolution.objects.get(body__code="ECOSOC", number="2009/246")
    assert in_both(lambda: decision.citation)[0] == "Economic and Social Council decision 2009/246"
    sc = Resolution.objects.get(slug="2199-2015")
    assert in_both(lambda: sc.meeting_display) == ("7379th meeting", "7379e séance")
    ga = Resolution.objects.get(body__code="GA", slug="2021-12-06")
    assert in_both(lambda: ga.meeting_display) == ("44th plenary meeting", "44e séance plénière")
    assert in_both(lambda: sc.body.display_code) == ("SC", "CS")
