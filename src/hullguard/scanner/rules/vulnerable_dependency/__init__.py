"""Rules for the vulnerable-dependency risk."""
