import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("pledgebook")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# core's toolkits keep their tasks in their own sub-packages.
app.autodiscover_tasks(["core.notifications"])
app.autodiscover_tasks(["core.notifications"], related_name="reminders")
