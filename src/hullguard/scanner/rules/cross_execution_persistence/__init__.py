"""Rules for the cross-execution-persistence risk."""
