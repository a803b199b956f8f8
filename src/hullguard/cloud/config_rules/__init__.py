"""The account rules packaged as AWS Config custom rules: the Lambda handler and its SAM template."""
