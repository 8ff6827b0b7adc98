"""Survey read models, built from survey's own published log like any consumer's."""
