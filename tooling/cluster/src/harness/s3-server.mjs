// An offline S3-compatible server for the cluster (s3rver, files in the folder given), in its own process like MinIO
// would be: `node s3-server.mjs <dir> <port> <bucket>`. Prints "listening <port>" once it accepts requests.
import S3rver from "s3rver";

const [dir, port, bucket] = process.argv.slice(2);
const server = new S3rver({ address: "127.0.0.1", port: Number(port), silent: true, directory: dir, configureBuckets: [{ name: bucket }] });
const { port: bound } = await server.run();
console.log(`listening ${bound}`);
process.on("SIGTERM", () => server.close().then(() => process.exit(0)));
