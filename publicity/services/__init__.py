"""State changes of publicity/, one module per sub-area: every write is one service here."""
