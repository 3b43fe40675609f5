// Loads the configured backbone through the engine; kept separate so tests can load it the same way.
import type { FastifyBaseLogger } from "fastify";
import type { Config } from "../config.ts";
import type { Backbone } from "../engine/backbone.ts";

export async function loadServiceBackbone(config: Config, log?: FastifyBaseLogger): Promise<Backbone> {
  const engine = await import("../engine/backbone.ts");
  return engine.loadBackbone({
    backbone: config.backbone,
    device: config.device,
    threads: config.threads,
    modelsDir: config.modelsDir,
    inputSize: config.inputSize,
    ...(config.featureL2 !== undefined ? { l2: config.featureL2 } : {}),
    ...(config.localAvg !== undefined ? { localAvg: config.localAvg } : {}),
    log,
  });
}
