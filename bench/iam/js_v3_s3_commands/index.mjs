import { S3Client, GetObjectCommand, PutObjectCommand, paginateListObjectsV2 } from "@aws-sdk/client-s3";

const s3 = new S3Client({});
const BUCKET = process.env.DATA_BUCKET;

export const handler = async (event) => {
  let count = 0;
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: BUCKET, Prefix: "daily/" })) {
    count += page.KeyCount ?? 0;
  }
  const manifest = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "manifest.json" }));
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "summary/count.txt", Body: String(count) }));
  return manifest.ContentLength;
};
