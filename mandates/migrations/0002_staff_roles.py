"""Staff roles: "Editors" may add, change, delete and view every record of the mandates,
instruments and partners apps; "Viewers" may only view them.

Permissions are normally created after all migrations have run (post_migrate), so this
migration creates them first. Running it again adds what is missing and changes nothing else.
A model added to these apps later needs its own data migration granting its permissions.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

APPS = ("mandates", "instruments", "partners")
ROLES = {
    "Editors": ("add", "change", "delete", "view"),
    "Viewers": ("view",),
}


def create_roles(apps, schema_editor):
    using = schema_editor.connection.alias if schema_editor else "default"
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    models = []
    for label in APPS:
        app_config = apps.get_app_config(label)
        # Historical app configs have no models module, which create_permissions skips.
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        try:
            create_permissions(app_config, apps=apps, verbosity=0, using=using)
        finally:
            app_config.models_module = models_module
        models += [(label, model._meta.model_name) for model in app_config.get_models()]
    for name, actions in ROLES.items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        for app_label, model_name in models:
            permissions = Permission.objects.using(using).filter(
                content_type__app_label=app_label,
                content_type__model=model_name,
                codename__in=[f"{action}_{model_name}" for action in actions],
            )
            group.permissions.add(*permissions)


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("mandates", "0001_initial"),
        ("instruments", "0001_initial"),
        ("partners", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
