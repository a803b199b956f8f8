"""Rules for the inadequate-logging risk."""
