"""hullguard iam."""
