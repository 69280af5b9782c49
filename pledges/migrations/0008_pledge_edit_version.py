# One version mechanism (core.versions.Versioned): Pledge.version becomes edit_version, and
# the pledge records who last changed it and when.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("pledges", "0007_field_verbose_names"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(model_name="pledge", old_name="version", new_name="edit_version"),
        migrations.AlterField(
            model_name="pledge",
            name="edit_version",
            field=models.PositiveIntegerField(default=1, verbose_name="修改版本"),
        ),
        migrations.AddField(
            model_name="pledge",
            name="edited_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="最后修改人",
            ),
        ),
        migrations.AddField(
            model_name="pledge",
            name="edited_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="最后修改时间"),
        ),
    ]
