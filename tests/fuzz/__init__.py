"""Property-based fuzzing of every service's OpenAPI spec: bad input never gets a 500."""
