def seed_evaluations(*, scale: str, stdout) -> None:
    """Mass evaluations with responses, annual assessments."""
