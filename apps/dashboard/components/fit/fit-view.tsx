"use client";
import { RoiSelect, RoiTitle, useRoiSelection, WithRoi } from "@/components/roi/roi-select";
import { CalibrationPanel } from "./calibration-panel";
import { FitPanel } from "./fit-panel";

export function FitView() {
  const selection = useRoiSelection();
  return (
    <div className="space-y-4">
      <RoiTitle page="Fit & calibrate" roi={selection.roi} />
      <RoiSelect selection={selection} />
      <WithRoi selection={selection}>
        {(roi) => (
          <div className="space-y-6" key={roi.id}>
            <FitPanel roi={roi} />
            <CalibrationPanel key={roi.activeModelVersionId ?? "none"} roi={roi} />
          </div>
        )}
      </WithRoi>
    </div>
  );
}
