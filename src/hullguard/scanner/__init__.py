"""hullguard scanner."""
