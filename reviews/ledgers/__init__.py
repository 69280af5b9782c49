"""Excel sheets of reviews/, one module per sub-area; views only serve them (core.xlsx)."""
