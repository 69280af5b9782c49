"""The office's Excel ledgers of pledges/, built in the background (pledges/exports.py)."""
