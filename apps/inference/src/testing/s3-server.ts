// An offline S3-compatible server for tests (s3rver, files in a temp folder, a free loopback port), and the
// environment a service needs to use it as its store through the real AWS SDK.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import S3rver from "s3rver";

export type TestS3 = {
  endpoint: string;
  bucket: string;
  /** BDI_STORE / BDI_S3_ENDPOINT / BDI_S3_REGION and the credentials s3rver accepts */
  env: Record<string, string>;
  close(): Promise<void>;
};

/** s3rver's fixed development credentials (it accepts only these). */
export const S3RVER_CREDENTIALS = { AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER" };

export async function startTestS3(opts: { bucket?: string; prefix?: string } = {}): Promise<TestS3> {
  const bucket = opts.bucket ?? "bdi-test";
  const directory = mkdtempSync(path.join(tmpdir(), "bdi-s3rver-"));
  const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  // The SDK reads credentials from the environment (what a deployment sets too).
  Object.assign(process.env, S3RVER_CREDENTIALS);
  return {
    endpoint,
    bucket,
    env: { BDI_STORE: `s3://${bucket}/${opts.prefix ?? "plant"}`, BDI_S3_ENDPOINT: endpoint, BDI_S3_REGION: "us-east-1", ...S3RVER_CREDENTIALS },
    async close() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
