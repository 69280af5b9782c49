"""Forms of pledges/, one module per sub-area."""
