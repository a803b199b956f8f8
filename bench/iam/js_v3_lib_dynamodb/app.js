const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");
const { DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand } = require("@aws-sdk/lib-dynamodb");

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const USERS = process.env.USERS_TABLE;
const AUDIT = process.env.AUDIT_TABLE;

exports.handler = async (event) => {
  const existing = await doc.send(new GetCommand({ TableName: USERS, Key: { id: event.id } }));
  if (!existing.Item) {
    await doc.send(new PutCommand({ TableName: USERS, Item: { id: event.id } }));
  }
  await doc.send(new TransactWriteCommand({
    TransactItems: [
      { Update: { TableName: USERS, Key: { id: event.id }, UpdateExpression: "SET seen = :t", ExpressionAttributeValues: { ":t": true } } },
      { Put: { TableName: AUDIT, Item: { id: event.requestId } } },
    ],
  }));
};
