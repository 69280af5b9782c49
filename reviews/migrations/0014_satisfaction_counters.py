"""The people's answers are counted per evaluation's end (kind "satisfaction"), no longer per
evaluation (kind "ratings"): the old rows go, the new ones are counted from the answers."""

from django.db import migrations


def recount(apps, schema_editor):
    # The counters' own code: these models are the current ones, and this is their last
    # migration touching them.
    from pledges import tallies
    from pledges.models import Tally
    from reviews.models import MassEvaluation

    Tally.objects.filter(kind="ratings").delete()
    if MassEvaluation.objects.exists():
        tallies.rebuild(models=[MassEvaluation])


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0013_merge_filing"),
        ("pledges", "0012_merge_tally_calendar"),
    ]

    operations = [migrations.RunPython(recount, migrations.RunPython.noop)]
