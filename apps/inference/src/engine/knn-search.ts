// The 1-NN search kinds (knn.ts), kept free of onnxruntime so the config can name them.
export const KNN_SEARCHES = ["exact", "int8"] as const;
export type KnnSearch = (typeof KNN_SEARCHES)[number];
/**
 * int8 candidates + exact fp32 re-rank: on bsdata_pitting every patch got its exact nearest distance (maps equal
 * to 1e-5) in 46 % of the exact search's time. `exact` stays available (BDI_KNN=exact).
 */
export const DEFAULT_KNN_SEARCH: KnnSearch = "int8";
