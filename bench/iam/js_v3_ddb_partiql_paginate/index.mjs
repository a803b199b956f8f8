import { DynamoDBClient, ExecuteStatementCommand, paginateScan } from "@aws-sdk/client-dynamodb";

const client = new DynamoDBClient({});

export const handler = async (event) => {
  await client.send(new ExecuteStatementCommand({ Statement: `UPDATE "sessions" SET active = false WHERE id = ?`, Parameters: [{ S: event.id }] }));
  let n = 0;
  for await (const page of paginateScan({ client }, { TableName: "sessions" })) {
    n += page.Count;
  }
  return n;
};
