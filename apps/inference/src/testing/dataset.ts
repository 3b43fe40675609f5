// Where the tests find the real dev set (../shared/datasets/bsdata_pitting, CC BY-SA 4.0; see its README).
// One place, because a checkout is not always beside ../shared (CI may clone elsewhere on the same machine).
import { existsSync } from "node:fs";
import path from "node:path";

const REPO_ROOT = path.resolve(import.meta.dirname, "../../../..");

const candidates = [
  process.env.BDI_TEST_DATASET,
  path.join(REPO_ROOT, "..", "shared", "datasets", "bsdata_pitting"),
  "/work/shared/datasets/bsdata_pitting",
].filter((p): p is string => !!p);

/** The bsdata_pitting folder (MVTec layout); throws a clear error naming the places looked at. */
export function bsdataDir(): string {
  const found = candidates.find((p) => existsSync(path.join(p, "train", "good")));
  if (!found) throw new Error(`bsdata_pitting not found; set BDI_TEST_DATASET (looked in: ${candidates.join(", ")})`);
  return found;
}

/** The kolektorsdd_crack folder (MVTec layout; see its README), beside bsdata_pitting. */
export function kolektorDir(): string {
  const found = [process.env.BDI_TEST_DATASET_KOLEKTOR, path.join(path.dirname(bsdataDir()), "kolektorsdd_crack")]
    .filter((p): p is string => !!p).find((p) => existsSync(path.join(p, "train", "good")));
  if (!found) throw new Error("kolektorsdd_crack not found beside bsdata_pitting; set BDI_TEST_DATASET_KOLEKTOR");
  return found;
}
