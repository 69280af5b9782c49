"""Exports built in the background: a job per file, a builder per kind registered by the domain.

A domain app registers what it can export in an `exports.py` module (imported on first use of
the registry) or in its AppConfig.ready()::

    # pledges/exports.py
    def build_ledger(job, out, progress):
        org = Organization.objects.get(pk=job.params["org"])
        rows = ledger_rows(job.requester, org, job.params["year"])  # visible_to(requester)
        total = rows.count()
        progress(0, total)
        write_ledger(out, ..., rows=rows.iterator(2000), progress=lambda n: progress(n, total))

    register("pledges", build_ledger, label=gettext_lazy("承诺践诺台账"),
             permission=lambda user, p: org_visible(user, p["org"]),
             clean=clean_org_and_year,          # posted strings -> {"org": 12, "year": 2026}
             title=lambda p: ledger_title(...))  # names the file

A page starts one with a POST form to `exports:start` (hidden `kind`, the params as fields,
`form_token`, optionally `next`); `services.export_start` checks and queues the job, the Celery
task `tasks.run_export` builds the file, recording progress and a heartbeat, and the requester
alone downloads it from the job page for 7 days.
"""
