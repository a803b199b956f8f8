"""Rules for the over-privileged risk."""
