"use strict";
const AWS = require("aws-sdk");
const lambda = new AWS.Lambda();
const stepfunctions = new AWS.StepFunctions();

async function score(order) {
  const res = await lambda.invoke({ FunctionName: process.env.SCORER, Payload: JSON.stringify(order) }).promise();
  return JSON.parse(res.Payload);
}

module.exports.main = async (event) => {
  const risk = await score(event);
  if (risk.high) {
    await stepfunctions.startExecution({ stateMachineArn: process.env.REVIEW_FLOW, input: JSON.stringify(event) }).promise();
  }
};
