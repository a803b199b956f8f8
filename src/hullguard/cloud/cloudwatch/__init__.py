"""CloudWatch: denial of service and financial exhaustion, from Lambda's own metrics."""
