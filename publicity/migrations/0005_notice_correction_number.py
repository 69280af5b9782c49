# Notice.version counted corrections (第 N 版), not edits: its name now says so. The edit
# version that guards against lost updates is edit_version (core.versions.Versioned).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("publicity", "0004_opinion_versions"),
    ]

    operations = [
        migrations.RenameField(
            model_name="notice", old_name="version", new_name="correction_number"
        ),
    ]
