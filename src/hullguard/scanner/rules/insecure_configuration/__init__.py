"""Rules for the insecure-configuration risk."""
