"""Reads of publicity/ that pages share, one module per sub-area."""
