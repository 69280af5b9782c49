"""Chart geometry of reviews/ (kept out of views and templates)."""
