const AWS = require("aws-sdk");
const firehose = new AWS.Firehose();

exports.handler = async (event) => {
  const records = event.Records.map((r) => ({ Data: Buffer.from(r.kinesis.data, "base64") }));
  await firehose.putRecordBatch({ DeliveryStreamName: process.env.ARCHIVE_STREAM, Records: records }).promise();
};
