import { SQSClient, SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { SNSClient, PublishCommand } from "@aws-sdk/client-sns";

const sqs = new SQSClient({});
const sns = new SNSClient({});

export const handler = async (event) => {
  const entries = event.jobs.map((job, i) => ({ Id: String(i), MessageBody: JSON.stringify(job) }));
  await sqs.send(new SendMessageBatchCommand({ QueueUrl: process.env.JOBS_QUEUE_URL, Entries: entries }));
  await sns.send(new PublishCommand({ TopicArn: process.env.DONE_TOPIC_ARN, Message: "queued" }));
};
