"""Rules for the insecure-secrets risk."""
