"""Exports built in the background: a job per file, a builder per kind registered by the domain.

A domain app registers what it can export (`registry.register`) in an `exports.py` module (found
on first use) or its AppConfig.ready(); `services.export_start` checks and queues a job, the
Celery task `tasks.run_export` builds the file with the kind's builder, recording progress and a
heartbeat, and the requester alone downloads it for 7 days.
"""
