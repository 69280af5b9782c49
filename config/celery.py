import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("pledgebook")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# core's tasks live in sub-packages, which autodiscovery of the apps does not reach.
app.autodiscover_tasks(["core.notifications", "core.exports"])
app.autodiscover_tasks(["core.notifications"], related_name="reminders")
app.autodiscover_tasks(["core.notifications"], related_name="events")
app.autodiscover_tasks(["core.notifications"], related_name="digest")
