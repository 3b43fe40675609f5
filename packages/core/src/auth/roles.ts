// Who may do what: four roles, each including the ones below it. The service enforces them on every tRPC procedure
// and /api route (apps/inference/src/trpc/trpc.ts, src/api/auth.ts); the dashboard only hides what a role cannot use.
import { z } from "zod";

/** Lowest first: viewer reads everything; reviewer also gives review verdicts, notes and labels; engineer also
 * changes datasets, runs fits and calibrations, activates and rolls back models; admin also manages users,
 * retention and keys. */
export const ROLES = ["viewer", "reviewer", "engineer", "admin"] as const;
export type Role = (typeof ROLES)[number];
export const RoleSchema = z.enum(ROLES);

/** True when `role` includes the rights of `needed`. */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** What each role adds, for the README, the CLI's help and the dashboard. */
export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  viewer: "reads everything: overview, datasets, models, inspections, audit log",
  reviewer: "viewer + review verdicts, notes and labels (NG regions)",
  engineer: "reviewer + dataset changes (upload, delete, restore), fits, calibrations, model activation and rollback",
  admin: "engineer + users, retention and keys",
};

/** A user name: what the audit log shows as the actor. Letters, digits and . _ @ - (no spaces). */
export const UsernameSchema = z
  .string()
  .trim()
  .min(2, "a user name has at least 2 characters")
  .max(64, "a user name has at most 64 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]*$/, "a user name is letters, digits and . _ @ - (starting with a letter or digit)");

/** Local passwords: long enough to resist guessing; no composition rules (NIST SP 800-63B). */
export const PasswordSchema = z
  .string()
  .min(10, "a password has at least 10 characters")
  .max(256, "a password has at most 256 characters");

/** The actor of every legacy REST call (the WPF client authenticates with the API key, not as a person). */
export const LEGACY_CLIENT_ACTOR = "legacy-client";
