"""Views of reviews/, one module per sub-area: pages read through selectors; each move is one
POST view calling one service."""
