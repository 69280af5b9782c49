def seed_reviews(*, scale: str, stdout) -> None:
    """Self-evaluations, reviews of every mode and grade, rectification items."""
