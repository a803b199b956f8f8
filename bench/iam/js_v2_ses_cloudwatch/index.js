const AWS = require("aws-sdk");
const ses = new AWS.SES({ region: "eu-west-1" });
const cloudwatch = new AWS.CloudWatch();

exports.handler = async (event) => {
  await ses.sendEmail({
    Source: "billing@acme.example",
    Destination: { ToAddresses: [event.email] },
    Message: { Subject: { Data: "Invoice" }, Body: { Text: { Data: event.text } } },
  }).promise();
  await cloudwatch.putMetricData({ Namespace: "Acme/Billing", MetricData: [{ MetricName: "Emails", Value: 1 }] }).promise();
};
