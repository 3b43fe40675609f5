import { viewerProcedure } from "../../trpc.ts";
import { services } from "../../helpers.ts";
import { auditFilterFacets } from "../../../services/audit.ts";

/** Distinct actors, actions and entity types with counts (for the filter drop-downs). */
export const facets = viewerProcedure.query(({ ctx }) => auditFilterFacets(services(ctx)));
