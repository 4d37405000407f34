from django.apps import AppConfig


class ExploreConfig(AppConfig):
    """ "What mandates UNODC to do X?": the paragraphs, the citation graph, the timeline and the
    coverage matrix. Reads the records of mandates/, instruments/ and partners/; none of them
    imports it."""

    name = "explore"
