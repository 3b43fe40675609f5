// The database as a Fastify resource: opened before the app is built (the request context carries it), closed by the
// app's close, after the routes and the compute processes are done with it.
import fp from "fastify-plugin";
import type { ServiceContext } from "../context.ts";

export const databasePlugin = fp<{ ctx: ServiceContext }>(async (app, { ctx }) => {
  app.addHook("onClose", async () => {
    await ctx.db.close();
  });
}, { name: "bdi-database" });
