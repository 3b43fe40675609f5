// The dashboard's typed API. One file per procedure under ./procedures; this file only assembles them.
import { router } from "./trpc.ts";
import { health } from "./procedures/health.ts";

export const appRouter = router({
  health,
});

export type AppRouter = typeof appRouter;
