"""Rules for the ungoverned-assets risk."""
