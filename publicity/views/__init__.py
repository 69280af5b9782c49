"""Working pages of publicity/ (login), by sub-area: `notices` (compose, approve, withdraw,
correct) and `opinions` (the moderation queue). Each move is one POST-only view: parse, one
service call, a message, a redirect."""
