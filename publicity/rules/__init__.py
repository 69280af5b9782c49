"""Permission rules of publicity/, one module per sub-area: plain functions (user, object) ->
bool."""
