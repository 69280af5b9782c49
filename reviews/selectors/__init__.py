"""Reads of reviews/ that pages share, one module per sub-area."""
