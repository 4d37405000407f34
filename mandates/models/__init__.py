"""The mandates app's models, a module a subject; imported from here as before
(`from mandates.models import Resolution`). Modules import downwards only:
resolutions -> queries -> paragraphs, links, expert_group, reference_page -> bodies, search;
loaded (what the reference-data load last wrote) stands alone."""

from mandates.models.bodies import UN_LANGUAGES, Activity, Addressee, Body, Lookup, undocs_links
from mandates.models.expert_group import ExpertGroup, ExpertGroupMeeting
from mandates.models.links import ResolutionCitation, ResolutionInstrument
from mandates.models.loaded import LoadedRecord
from mandates.models.paragraphs import Paragraph
from mandates.models.reference_page import OpenQuestion, PageEntry
from mandates.models.resolutions import Resolution
from mandates.models.search import ResolutionWords

__all__ = [
    "UN_LANGUAGES",
    "Activity",
    "Addressee",
    "Body",
    "ExpertGroup",
    "ExpertGroupMeeting",
    "LoadedRecord",
    "Lookup",
    "OpenQuestion",
    "PageEntry",
    "Paragraph",
    "Resolution",
    "ResolutionCitation",
    "ResolutionInstrument",
    "ResolutionWords",
    "undocs_links",
]
