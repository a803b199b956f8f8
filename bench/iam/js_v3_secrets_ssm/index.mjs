import { SecretsManagerClient, GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { SSMClient, GetParameterCommand } from "@aws-sdk/client-ssm";

const secrets = new SecretsManagerClient({});
const ssm = new SSMClient({});

export const handler = async () => {
  const key = await secrets.send(new GetSecretValueCommand({ SecretId: process.env.STRIPE_SECRET_ARN }));
  const endpoint = await ssm.send(new GetParameterCommand({ Name: "/acme/payments/endpoint" }));
  return { ok: Boolean(key.SecretString && endpoint.Parameter) };
};
