const { S3Client, GetObjectCommand } = require("@aws-sdk/client-s3");
const { getSignedUrl } = require("@aws-sdk/s3-request-presigner");
const { Upload } = require("@aws-sdk/lib-storage");

const client = new S3Client({});

exports.handler = async (event) => {
  const upload = new Upload({
    client,
    params: { Bucket: process.env.VIDEO_BUCKET, Key: `raw/${event.videoId}.mp4`, Body: event.stream },
  });
  await upload.done();
  const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: process.env.VIDEO_BUCKET, Key: `raw/${event.videoId}.mp4` }), { expiresIn: 600 });
  return { url };
};
