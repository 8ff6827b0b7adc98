"""Published inspection facts: tasks."""
