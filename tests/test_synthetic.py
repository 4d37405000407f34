"""generate_synthetic: realistic, valid, clearly marked records for load tests, removable by one
command, and never part of the reference data (`make run` loads only load_reference_data)."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mandates.management.commands.generate_synthetic import NOTE
from mandates.models import Paragraph, Resolution, ResolutionCitation, ResolutionInstrument

pytestmark = pytest.mark.django_db

N = 200


def snapshot():
    """Every row the command may touch, by table."""
    return {
        "resolutions": set(Resolution.objects.values_list("pk", flat=True)),
        "paragraphs": set(Paragraph.objects.values_list("pk", flat=True)),
        "instrument links": set(ResolutionInstrument.objects.values_list("pk", flat=True)),
        "partner links": set(Resolution.partners.through.objects.values_list("pk", flat=True)),
        "citations": set(ResolutionCitation.objects.values_list("pk", flat=True)),
    }


def test_the_reference_data_holds_no_synthetic_record():
    assert not Resolution.objects.filter(is_synthetic=True).exists()


def test_creates_valid_marked_records_and_clear_removes_exactly_them():
    before = snapshot()
    out = io.StringIO()
    call_command("generate_synthetic", "--resolutions", str(N), stdout=out)
    assert f"Created {N} synthetic resolutions" in out.getvalue()

    synthetic = Resolution.objects.filter(is_synthetic=True).select_related("body")
    assert synthetic.count() == N
    assert Resolution.objects.count() == len(before["resolutions"]) + N
    for resolution in synthetic:
        assert resolution.title.startswith("[Synthetic] ")
        assert resolution.verification_note == NOTE
    # Realistic shapes: several bodies and years, each with its links.
    assert synthetic.values("body").distinct().count() == 5
    assert synthetic.values("year").distinct().count() > 20
    assert Paragraph.objects.filter(resolution__is_synthetic=True).exists()
    assert ResolutionInstrument.objects.filter(resolution__is_synthetic=True).exists()
    assert Resolution.partners.through.objects.filter(resolution__is_synthetic=True).exists()
    assert ResolutionCitation.objects.filter(citing__is_synthetic=True).exists()

    # A sample of every kind passes the same validation as an admin edit.
    for resolution in synthetic.order_by("pk")[::10]:
        resolution.full_clean()
    for model, field in (
        (Paragraph, "resolution"),
        (ResolutionInstrument, "resolution"),
        (ResolutionCitation, "citing"),
    ):
        sample = model.objects.filter(**{f"{field}__is_synthetic": True}).order_by("pk")[::10]
        assert sample
        for record in sample:
            record.full_clean()

    out = io.StringIO()
    call_command("generate_synthetic", "--clear", stdout=out)
    assert "Deleted" in out.getvalue()
    assert snapshot() == before


def test_says_how_many_it_needs():
    with pytest.raises(CommandError, match="--resolutions N"):
        call_command("generate_synthetic")


@pytest.mark.django_db
def test_reloading_reference_data_keeps_synthetic_rows_out_of_the_history():
    call_command("generate_synthetic", resolutions=30, verbosity=0)
    call_command("load_reference_data", verbosity=0)
    assert not Paragraph.history.filter(resolution__is_synthetic=True).exists()
    assert not ResolutionInstrument.history.filter(resolution__is_synthetic=True).exists()
    assert not ResolutionCitation.history.filter(citing__is_synthetic=True).exists()
