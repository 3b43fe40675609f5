// Test helper (also for other packages' tests): a real, migrated SQLite database in a fresh temp directory.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDb, type CreateDbOptions, type Db } from "./client.ts";

export interface TestDb extends Db {
  /** the temp data root holding bdi.sqlite */
  dir: string;
  /** closes the client and removes the directory */
  cleanup(): Promise<void>;
}

export async function createTestDb(opts: Omit<CreateDbOptions, "url" | "dataRoot"> = {}): Promise<TestDb> {
  const dir = mkdtempSync(join(tmpdir(), "bdi-db-test-"));
  const db = await createDb({ ...opts, dataRoot: dir });
  return {
    ...db,
    dir,
    cleanup: async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A tiny fixture: recipe "r1", role "Inspection", ROI "inspection-1". */
export const TEST_ROI_KEY = { recipeId: "r1", roleId: "Inspection", roiId: "inspection-1" } as const;
export const TEST_CTX = { actor: "test", requestId: "req-test" } as const;
