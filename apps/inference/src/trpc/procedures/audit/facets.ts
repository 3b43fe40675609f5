import { publicProcedure } from "../../trpc.ts";

/** Distinct actors, actions and entity types with counts (for the filter drop-downs). */
export const facets = publicProcedure.query(async ({ ctx }) => {
  const db = ctx.svc.db.prisma;
  const [actors, actions, entityTypes] = await Promise.all([
    db.auditEvent.groupBy({ by: ["actor"], _count: { _all: true }, orderBy: { actor: "asc" } }),
    db.auditEvent.groupBy({ by: ["action"], _count: { _all: true }, orderBy: { action: "asc" } }),
    db.auditEvent.groupBy({ by: ["entityType"], _count: { _all: true }, orderBy: { entityType: "asc" } }),
  ]);
  return {
    actors: actors.map((a) => ({ value: a.actor, count: a._count._all })),
    actions: actions.map((a) => ({ value: a.action, count: a._count._all })),
    entityTypes: entityTypes.map((a) => ({ value: a.entityType, count: a._count._all })),
  };
});
