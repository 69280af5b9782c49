"""Forms of reviews/, one module per sub-area."""
