"""Rules for the broken-authentication risk."""
