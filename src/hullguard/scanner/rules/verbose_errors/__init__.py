"""Rules for the verbose-errors risk."""
