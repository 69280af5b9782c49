"""Permission rules of reviews/, one module per sub-area: plain functions (user, object) -> bool."""
