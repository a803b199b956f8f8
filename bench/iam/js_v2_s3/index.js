const AWS = require("aws-sdk");
const s3 = new AWS.S3();
const BUCKET = process.env.MEDIA_BUCKET;

exports.handler = async (event) => {
  const key = event.Records[0].s3.object.key;
  const original = await s3.getObject({ Bucket: BUCKET, Key: key }).promise();
  await s3.putObject({ Bucket: BUCKET, Key: `thumbnails/${key}`, Body: original.Body }).promise();
  return { ok: true };
};
