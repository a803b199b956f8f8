// Thumbnail generator (deliberately vulnerable: see examples/README.md).
const { execSync } = require("child_process");
const AWS = require("aws-sdk");
const _ = require("lodash");

const s3 = new AWS.S3();

exports.handler = async (event) => {
  const params = event.queryStringParameters || {};
  const key = params.key;
  const size = _.get(params, "size", "128");
  const original = await s3.getObject({ Bucket: process.env.REPORTS_BUCKET, Key: key }).promise();
  require("fs").writeFileSync("/tmp/original", original.Body);
  execSync("convert /tmp/original -resize " + size + " /tmp/thumb.png");
  await s3.putObject({ Bucket: process.env.REPORTS_BUCKET, Key: "thumbs/" + key, Body: "" }).promise();
  console.log("env", JSON.stringify(process.env));
  return { statusCode: 200, body: "ok" };
};
