// Thumbnail generator (the fixed version of examples/vulnerable/thumbnail/index.js).
const { execFileSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { S3Client, GetObjectCommand, PutObjectCommand } = require("@aws-sdk/client-s3");

const s3 = new S3Client({});
const SIZES = new Set(["64", "128", "256"]);

exports.handler = async (event) => {
  const params = event.queryStringParameters || {};
  const key = String(params.key || "");
  const size = SIZES.has(params.size) ? params.size : "128";
  const workdir = fs.mkdtempSync(path.join(os.tmpdir(), "thumb-"));
  try {
    const original = await s3.send(new GetObjectCommand({ Bucket: process.env.REPORTS_BUCKET, Key: key }));
    const source = path.join(workdir, "original");
    fs.writeFileSync(source, await original.Body.transformToByteArray());
    execFileSync("convert", [source, "-resize", size, path.join(workdir, "thumb.png")]);
    await s3.send(new PutObjectCommand({ Bucket: process.env.REPORTS_BUCKET, Key: "thumbs/" + key, Body: "" }));
    return { statusCode: 200, body: "ok" };
  } finally {
    fs.rmSync(workdir, { recursive: true, force: true });
  }
};
