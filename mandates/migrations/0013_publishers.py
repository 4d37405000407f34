"""The "Publishers" role: what "Editors" may do (mandates/migrations/0002_staff_roles.py), plus
publishing resolutions (mandates.publish_resolution). Editors make and change drafts; a
publisher reviews and publishes them. Idempotent, like 0002."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

APPS = ("mandates", "instruments", "partners")
ROLE = "Publishers"
EDITOR_ACTIONS = ("add", "change", "delete", "view")
PUBLISH = ("mandates", "publish_resolution")


def create_publishers(apps, schema_editor):
    using = schema_editor.connection.alias if schema_editor else "default"
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = []
    for label in APPS:
        app_config = apps.get_app_config(label)
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        try:
            create_permissions(app_config, apps=apps, verbosity=0, using=using)
        finally:
            app_config.models_module = models_module
        for model in app_config.get_models():
            name = model._meta.model_name
            permissions += Permission.objects.using(using).filter(
                content_type__app_label=label,
                content_type__model=name,
                codename__in=[f"{action}_{name}" for action in EDITOR_ACTIONS],
            )
    permissions += Permission.objects.using(using).filter(
        content_type__app_label=PUBLISH[0], codename=PUBLISH[1]
    )
    group, _ = Group.objects.using(using).get_or_create(name=ROLE)
    group.permissions.add(*permissions)


def remove_publishers(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name=ROLE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("mandates", "0012_resolution_status"),
        ("instruments", "0004_record_versions"),
        ("partners", "0004_record_versions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_publishers, remove_publishers)]
