"""Survey API models (every request string is `Line` or `Prose`)."""
