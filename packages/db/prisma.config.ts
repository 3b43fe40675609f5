// Prisma CLI config (used by `prisma generate` only; migrations go through scripts/migrate.mjs).
// The schema and migrations live at the repository root: prisma/ is the single source of truth.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "../../prisma/schema.prisma",
  migrations: { path: "../../prisma/migrations" },
});
