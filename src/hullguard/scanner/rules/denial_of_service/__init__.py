"""Rules for the denial-of-service risk."""
