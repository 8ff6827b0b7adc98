"""Registry API models, one module per part of the registry."""
