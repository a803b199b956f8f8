const { DynamoDB } = require("@aws-sdk/client-dynamodb");

const db = new DynamoDB({});

async function saveReading(reading) {
  await db.putItem({ TableName: process.env.READINGS, Item: { id: { S: reading.id } } });
}

async function purge(id) {
  await db.deleteItem({ TableName: process.env.READINGS, Key: { id: { S: id } } });
}

module.exports = { saveReading, purge };
