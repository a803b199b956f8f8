const AWS = require("aws-sdk");
const docClient = new AWS.DynamoDB.DocumentClient();
const TABLE = process.env.CARTS_TABLE;

module.exports.handler = async (event) => {
  const cartId = event.pathParameters.id;
  await docClient.put({ TableName: TABLE, Item: { cartId, items: [] } }).promise();
  const rows = await docClient.query({
    TableName: TABLE,
    KeyConditionExpression: "cartId = :c",
    ExpressionAttributeValues: { ":c": cartId },
  }).promise();
  await docClient.batchWrite({ RequestItems: { [TABLE]: [] } }).promise();
  return rows.Items;
};
