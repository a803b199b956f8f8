import { KMSClient, EncryptCommand } from "@aws-sdk/client-kms";
import { STSClient, AssumeRoleCommand, GetCallerIdentityCommand } from "@aws-sdk/client-sts";

const kms = new KMSClient({});
const sts = new STSClient({});

export const handler = async (event) => {
  const me = await sts.send(new GetCallerIdentityCommand({}));
  const creds = await sts.send(new AssumeRoleCommand({ RoleArn: process.env.REPORTING_ROLE, RoleSessionName: "report" }));
  const blob = await kms.send(new EncryptCommand({ KeyId: process.env.KEY_ID, Plaintext: Buffer.from(event.data) }));
  return { account: me.Account, expires: creds.Credentials.Expiration, size: blob.CiphertextBlob.length };
};
