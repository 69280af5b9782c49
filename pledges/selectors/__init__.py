"""Reads of pledges/ for pages and ledgers, one module per sub-area."""
