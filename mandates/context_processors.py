from django.conf import settings


def site(request):
    """Site-wide facts for the footer: where the data comes from and when it was last updated."""
    return {"DATA_UPDATED": settings.DATA_UPDATED}
