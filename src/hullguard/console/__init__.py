"""hullguard console."""
