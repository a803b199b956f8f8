"""Rules for the credential-leakage risk."""
