const AWS = require("aws-sdk");

// The service class is chosen by configuration: new AWS[name]() is invisible to static analysis.
const SERVICE = process.env.QUEUE_SERVICE || "SQS";
const client = new AWS[SERVICE]();

exports.handler = async (event) => {
  await client.sendMessage({ QueueUrl: process.env.QUEUE_URL, MessageBody: JSON.stringify(event) }).promise();
};
