"""Input validation with Japanese error messages."""
