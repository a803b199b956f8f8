const { EventBridgeClient, PutEventsCommand } = require("@aws-sdk/client-eventbridge");
const { KinesisClient, PutRecordCommand } = require("@aws-sdk/client-kinesis");

const bus = new EventBridgeClient({});
const kinesis = new KinesisClient({});

exports.handler = async (event) => {
  await kinesis.send(new PutRecordCommand({ StreamName: "acme-telemetry", PartitionKey: event.device, Data: Buffer.from(JSON.stringify(event)) }));
  await bus.send(new PutEventsCommand({ Entries: [{ EventBusName: process.env.BUS_NAME, Source: "acme.devices", DetailType: "Reading", Detail: "{}" }] }));
};
