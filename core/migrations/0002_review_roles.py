"""Who reviews changes (core.PendingChange): the staff groups get its permissions.

- Publishers: view, discard (delete) and publish (core.publish_pendingchange) changes awaiting
  review. Whoever holds core.publish_pendingchange saves public records directly; everyone
  else's changes to them wait for review (core/review_admin.py).
- Editors and Viewers: view them (an editor also discards a change they proposed).

The groups are matched by name and made if missing (mandates/migrations/0002_staff_roles.py and
0013_publishers.py give them their record permissions). Idempotent, like those.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Publishers": ("view_pendingchange", "delete_pendingchange", "publish_pendingchange"),
    "Editors": ("view_pendingchange",),
    "Viewers": ("view_pendingchange",),
}


def grant(apps, schema_editor):
    using = schema_editor.connection.alias if schema_editor else "default"
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    app_config = apps.get_app_config("core")
    # Historical app configs have no models module, which create_permissions skips.
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = models_module or True
    try:
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
    finally:
        app_config.models_module = models_module
    for name, codenames in GRANTS.items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.using(using).filter(
                content_type__app_label="core", codename__in=codenames
            )
        )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    using = schema_editor.connection.alias
    for name, codenames in GRANTS.items():
        for group in Group.objects.using(using).filter(name=name):
            group.permissions.remove(
                *Permission.objects.using(using).filter(
                    content_type__app_label="core", codename__in=codenames
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_pending_change"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
