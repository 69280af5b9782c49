"""Forms of publicity/, one module per sub-area."""
