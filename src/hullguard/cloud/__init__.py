"""Cloud governance: audit live AWS accounts.

Collectors (``collectors/``, the only code that calls boto3 for the inventory) turn each account and
region into the shared ``Application`` model; the posture scanner's rules and the account-only rules in
``rules/`` judge the model. ``config_rules/`` packages the same rules as AWS Config custom rules,
``cloudtrail/`` and ``cloudwatch/`` analyse activity and metrics.
"""
