// @bdi/models: backbone manifest, the nsfwjs MobileNetV2 and InceptionV3 → ONNX converters, DINOv2 import/pull, ONNX writer helpers.
export * from "./onnx.ts";
export * from "./manifest.ts";
export { convertMobilenetV2Features, loadTfjsGraphModel, nsfwjsRoot, MOBILENET_FEATURE_OUTPUTS } from "./convert-mobilenet.ts";
export { convertInceptionV3Features, inceptionV3Graph, INCEPTION_FEATURE_OUTPUTS } from "./convert-inception.ts";
export { buildBundled, buildBundledBytes, bundledIds, type BuildResult } from "./build.ts";
export { importDinov2, pullDinov2, findBlockTensor, ImportError, DINOV2_ID, DINOV2_URL, type ImportResult } from "./dinov2.ts";
