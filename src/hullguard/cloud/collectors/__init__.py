"""Collectors: the only code of the audit that reads the inventory through boto3; they fill models."""
