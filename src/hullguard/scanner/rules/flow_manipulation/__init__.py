"""Rules for the flow-manipulation risk."""
