from django.apps import AppConfig, apps

OUR_APPS = ("core", "mandates", "instruments", "partners")


def link_row_name(row):
    """“SC 2199 (2015) – INTERPOL”: the two rows a many-to-many link row joins."""
    ends = [f for f in row._meta.fields if f.is_relation]
    return " – ".join(str(getattr(row, f.name)) for f in ends)


class CoreConfig(AppConfig):
    """Shared bases the other apps import: the sourced-record base, admin bases, helpers.

    It imports none of them."""

    name = "core"
    verbose_name = "Shared"

    def ready(self):
        # Django names the rows of a many-to-many table “Resolution_partners object (10)”, and
        # the admin's delete pages list them so. Name them by the two rows they join instead.
        for model in apps.get_models(include_auto_created=True):
            if model._meta.auto_created and model._meta.app_label in OUR_APPS:
                model.__str__ = link_row_name
