"""Existing items keep their typed 责任人; where that name is a member of the item's own
organization, the item is linked to him (his login then gets the item's notices directly).
Names that match nobody stay as typed: someone from outside, as the form now allows."""

from django.db import migrations

BATCH = 2000


def link(apps, schema_editor):
    Item = apps.get_model("reviews", "RectificationItem")
    Member = apps.get_model("pledges", "Member")
    pending = Item.objects.filter(responsible_member__isnull=True).exclude(responsible="")
    rows = list(pending.values_list("pk", "organization_id", "responsible"))
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        orgs = {org for _pk, org, _name in chunk}
        members = {
            (org, name): pk
            for pk, org, name in Member.objects.filter(organization_id__in=orgs).values_list(
                "pk", "organization_id", "name"
            )
        }
        for pk, org, name in chunk:
            member = members.get((org, name.strip()))
            if member is not None:
                Item.objects.filter(pk=pk).update(responsible_member_id=member)


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0008_rectification_target_and_responsible_member"),
    ]

    operations = [migrations.RunPython(link, migrations.RunPython.noop)]
