import os

import boto3


def make_client(service):
    return boto3.client(service)


class InvoiceStore:
    def __init__(self):
        self.s3 = make_client("s3")
        self.bucket = os.environ["INVOICE_BUCKET"]

    def save(self, invoice_id, pdf):
        self.s3.put_object(Bucket=self.bucket, Key=f"invoices/{invoice_id}.pdf", Body=pdf)
