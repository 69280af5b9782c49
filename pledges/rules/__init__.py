"""Permission rules of pledges/, one module per sub-area: plain functions (user, object) -> bool."""
