"""Published inspection facts: complaints."""
