"""State changes of reviews/, one module per sub-area: every write is one service here."""
