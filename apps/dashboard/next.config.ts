import type { NextConfig } from "next";

// The dashboard talks to the inference service from the browser (tRPC over HTTP at `${BDI_INFERENCE_URL}/trpc`).
// The URL is read at request time by the root layout, so one build can point at any service.
const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Workspace packages ship TypeScript sources (no build step); Next must compile them when they are imported.
  transpilePackages: ["@bdi/core"],
  typescript: { tsconfigPath: "tsconfig.json" },
};

export default nextConfig;
