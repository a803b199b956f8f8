"""hullguard cloud."""
