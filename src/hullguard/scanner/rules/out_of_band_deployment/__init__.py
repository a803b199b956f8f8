"""Rules for the out-of-band-deployment risk."""
