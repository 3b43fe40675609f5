// The dashboard's typed API. One file per procedure under ./procedures; this file only assembles them.
// Inputs are the zod schemas of @bdi/core/dashboard/*; outputs are plain JSON (see ./dto.ts).
import { router } from "./trpc.ts";
import { health } from "./procedures/health.ts";
import { overview } from "./procedures/overview.ts";
import { list as roisList } from "./procedures/rois/list.ts";
import { list as samplesList } from "./procedures/samples/list.ts";
import { get as samplesGet } from "./procedures/samples/get.ts";
import { upload as samplesUpload } from "./procedures/samples/upload.ts";
import { relabel as samplesRelabel } from "./procedures/samples/relabel.ts";
import { remove as samplesDelete } from "./procedures/samples/delete.ts";
import { restore as samplesRestore } from "./procedures/samples/restore.ts";
import { setNote as samplesSetNote } from "./procedures/samples/setNote.ts";
import { setNgRegions as samplesSetNgRegions } from "./procedures/samples/setNgRegions.ts";
import { bulk as samplesBulk } from "./procedures/samples/bulk.ts";
import { start as fitStart } from "./procedures/fit/start.ts";
import { progress as fitProgress } from "./procedures/fit/progress.ts";
import { cancel as fitCancel } from "./procedures/fit/cancel.ts";
import { line as reportsLine } from "./procedures/reports/line.ts";
import { shift as reportsShift } from "./procedures/reports/shift.ts";
import { list as jobsList } from "./procedures/jobs/list.ts";
import { data as calibrationData } from "./procedures/calibration/data.ts";
import { rescore as calibrationRescore } from "./procedures/calibration/rescore.ts";
import { save as calibrationSave } from "./procedures/calibration/save.ts";
import { list as inspectionsList } from "./procedures/inspections/list.ts";
import { get as inspectionsGet } from "./procedures/inspections/get.ts";
import { review as inspectionsReview } from "./procedures/inspections/review.ts";
import { addToDataset as inspectionsAddToDataset } from "./procedures/inspections/addToDataset.ts";
import { testUpload as inspectionsTestUpload } from "./procedures/inspections/testUpload.ts";
import { list as modelsList } from "./procedures/models/list.ts";
import { get as modelsGet } from "./procedures/models/get.ts";
import { calibrations as modelsCalibrations } from "./procedures/models/calibrations.ts";
import { activate as modelsActivate } from "./procedures/models/activate.ts";
import { compare as modelsCompare } from "./procedures/models/compare.ts";
import { list as auditList } from "./procedures/audit/list.ts";
import { facets as auditFacets } from "./procedures/audit/facets.ts";
import { list as usersList } from "./procedures/users/list.ts";

export const appRouter = router({
  health,
  overview,
  rois: router({ list: roisList }),
  samples: router({
    list: samplesList,
    get: samplesGet,
    upload: samplesUpload,
    relabel: samplesRelabel,
    delete: samplesDelete,
    restore: samplesRestore,
    setNote: samplesSetNote,
    setNgRegions: samplesSetNgRegions,
    bulk: samplesBulk,
  }),
  fit: router({ start: fitStart, progress: fitProgress, cancel: fitCancel }),
  jobs: router({ list: jobsList }),
  calibration: router({ data: calibrationData, rescore: calibrationRescore, save: calibrationSave }),
  inspections: router({
    list: inspectionsList,
    get: inspectionsGet,
    review: inspectionsReview,
    addToDataset: inspectionsAddToDataset,
    testUpload: inspectionsTestUpload,
  }),
  models: router({
    list: modelsList,
    get: modelsGet,
    calibrations: modelsCalibrations,
    activate: modelsActivate,
    compare: modelsCompare,
  }),
  audit: router({ list: auditList, facets: auditFacets }),
  users: router({ list: usersList }),
  reports: router({ shift: reportsShift, line: reportsLine }),
});

export type AppRouter = typeof appRouter;
