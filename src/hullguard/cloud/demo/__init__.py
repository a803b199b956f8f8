"""The seeded "messy account": a moto-backed account with the mistakes the audit exists to find, plus
CloudTrail records and CloudWatch metrics shaped like AWS's, for ``make demo``, tests and benchmarks."""
