"""Published inspection facts: assessments."""
