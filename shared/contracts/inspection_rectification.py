"""Published inspection facts: rectification."""
