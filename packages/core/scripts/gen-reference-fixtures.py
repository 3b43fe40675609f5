#!/usr/bin/env python3
"""Regenerates src/__fixtures__/reference.json: known answers from OpenCV / numpy / scipy for @bdi/core tests.

Dev tool only (CI never runs it; the JSON is committed). Needs numpy, scipy and opencv-python-headless:
    python3 packages/core/scripts/gen-reference-fixtures.py
"""
import json
import os

import cv2
import numpy as np
from scipy import ndimage, stats

rng = np.random.default_rng(7)
out = {"cv2_version": cv2.__version__, "numpy_version": np.__version__}

# --- percentiles (numpy linear) ---
vals = rng.normal(size=37).round(4)
ps = [0, 1, 5, 25, 50, 75, 95, 99, 99.9, 100]
out["percentile"] = {"values": vals.tolist(), "ps": ps, "expected": [float(np.percentile(vals, p)) for p in ps]}

# --- resize INTER_LINEAR ---
resize_cases = []
for (sw, sh, dw, dh) in [(2, 2, 4, 4), (5, 3, 11, 7), (8, 8, 3, 5), (4, 6, 4, 6), (32, 32, 97, 61), (7, 1, 13, 3)]:
    src = rng.random((sh, sw), dtype=np.float32)
    dst = cv2.resize(src, (dw, dh), interpolation=cv2.INTER_LINEAR)
    resize_cases.append({"sw": sw, "sh": sh, "dw": dw, "dh": dh, "src": src.ravel().tolist(), "dst": dst.ravel().tolist()})
out["resize"] = resize_cases

# --- Gaussian blur (sigma 1 → ksize 7, reflect-101) ---
blur_cases = []
for (w, h, sigma) in [(9, 9, 1.0), (13, 6, 1.0), (5, 4, 1.0), (3, 17, 2.0), (20, 11, 0.6)]:
    src = rng.random((h, w), dtype=np.float32)
    k = max(3, int(round(sigma * 3)) * 2 + 1)
    dst = cv2.GaussianBlur(src, (k, k), sigma)
    blur_cases.append({"w": w, "h": h, "sigma": sigma, "ksize": k, "src": src.ravel().tolist(), "dst": dst.ravel().tolist()})
out["blur"] = blur_cases
out["gaussian_kernel_7_1"] = cv2.getGaussianKernel(7, 1.0, ktype=cv2.CV_32F).ravel().astype(float).tolist()

# --- contours (RETR_EXTERNAL, CHAIN_APPROX_SIMPLE) ---
contour_cases = []
def add_contours(img):
    img = (img > 0).astype(np.uint8)
    cs, _ = cv2.findContours(img.copy(), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    contour_cases.append({
        "w": int(img.shape[1]), "h": int(img.shape[0]), "data": img.ravel().tolist(),
        "contours": [c.reshape(-1).tolist() for c in cs],
        "areas": [float(cv2.contourArea(c)) for c in cs],
        "rects": [list(cv2.boundingRect(c)) for c in cs],
    })
for i in range(25):
    h, w = rng.integers(1, 24, size=2)
    add_contours(rng.random((h, w)) < rng.uniform(0.1, 0.8))
for i in range(15):
    h, w = rng.integers(6, 32, size=2)
    n = cv2.GaussianBlur(rng.random((h, w)).astype(np.float32), (0, 0), rng.uniform(0.7, 2.5))
    add_contours(n > np.quantile(n, rng.uniform(0.4, 0.85)))
for t in [1, 2]:
    img = np.zeros((20, 20), np.uint8)
    cv2.rectangle(img, (2, 2), (17, 17), 1, t)
    img[8:11, 8:11] = 1
    add_contours(img)
out["contours"] = contour_cases

# --- heatmap (legacy §3.6) ---
def heat_gray(heat, mask):
    valid = heat[mask > 0]
    out_img = np.zeros(heat.shape, np.uint8)
    if valid.size == 0:
        return out_img
    mn, mx = np.percentile(valid, [1, 99])
    if mx <= mn:
        return out_img
    vis = np.clip((heat - mn) / (mx - mn), 0, 1)
    g = (vis * 255 + 0.5).astype(np.uint8)
    return cv2.bitwise_and(g, g, mask=(mask > 0).astype(np.uint8))
heat = rng.random((12, 17), dtype=np.float32)
mask = np.zeros((12, 17), np.uint8)
mask[2:10, 3:15] = 1
out["heatmap"] = {"w": 17, "h": 12, "map": heat.ravel().tolist(), "mask": mask.ravel().tolist(),
                  "expected": heat_gray(heat, mask).ravel().tolist()}

# --- AUROC (Mann–Whitney, ties ½) ---
s = rng.integers(0, 20, size=300).astype(np.float32) / 4  # many ties
lab = (rng.random(300) < 0.3).astype(np.uint8)
u = stats.mannwhitneyu(s[lab == 1], s[lab == 0], alternative="two-sided").statistic
out["auroc"] = {"scores": s.tolist(), "labels": lab.tolist(), "expected": float(u / (lab.sum() * (300 - lab.sum())))}

# --- AUPRO: the MVTec AD reference implementation (pro_curve_util.compute_pro + generic_util.trapezoid) ---
def compute_pro(anomaly_maps, ground_truth_maps):
    structure = np.ones((3, 3), dtype=int)
    num_ok_pixels = 0
    num_gt_regions = 0
    shape = (len(anomaly_maps), anomaly_maps[0].shape[0], anomaly_maps[0].shape[1])
    fp_changes = np.zeros(shape, dtype=np.uint32)
    pro_changes = np.zeros(shape, dtype=np.float64)
    for gt_ind, gt_map in enumerate(ground_truth_maps):
        labeled, n_components = ndimage.label(gt_map, structure)
        num_gt_regions += n_components
        ok_mask = labeled == 0
        num_ok_pixels += np.sum(ok_mask)
        fp_changes[gt_ind, ok_mask] = 1
        for k in range(n_components):
            region_mask = labeled == (k + 1)
            pro_changes[gt_ind, region_mask] = 1.0 / np.sum(region_mask)
    flat = np.array(anomaly_maps).ravel()
    fp_changes = fp_changes.ravel()
    pro_changes = pro_changes.ravel()
    idx = np.argsort(flat).astype(np.uint32)[::-1]
    flat = flat[idx]; fp_changes = fp_changes[idx]; pro_changes = pro_changes[idx]
    fprs = np.cumsum(fp_changes, dtype=np.float64) / num_ok_pixels
    pros = np.cumsum(pro_changes) / num_gt_regions
    keep = np.append(np.diff(flat) != 0, np.True_)
    fprs = np.clip(fprs[keep], 0, 1); pros = np.clip(pros[keep], 0, 1)
    return np.concatenate([[0], fprs]), np.concatenate([[0], pros])

def trapezoid(x, y, x_max=None):
    correction = 0.0
    if x_max is not None:
        if x_max not in x:
            import bisect
            ins = bisect.bisect(x, x_max)
            y_interp = y[ins - 1] + ((y[ins] - y[ins - 1]) * (x_max - x[ins - 1]) / (x[ins] - x[ins - 1]))
            correction = 0.5 * (y_interp + y[ins - 1]) * (x_max - x[ins - 1])
        mask = x <= x_max
        x = x[mask]; y = y[mask]
    return np.sum(0.5 * (y[1:] + y[:-1]) * (x[1:] - x[:-1])) + correction

maps, gts = [], []
for i in range(4):
    m = rng.random((16, 20)).astype(np.float32)
    m = np.round(m * 40) / 40  # ties
    g = np.zeros((16, 20), np.uint8)
    if i != 1:
        for _ in range(rng.integers(1, 4)):
            y0, x0 = rng.integers(0, 13), rng.integers(0, 17)
            g[y0:y0 + rng.integers(1, 4), x0:x0 + rng.integers(1, 4)] = 1
            m[g > 0] += 0.3 * rng.random()
    maps.append(m.astype(np.float32)); gts.append(g)
fprs, pros = compute_pro(maps, gts)
out["aupro"] = {
    "w": 20, "h": 16,
    "maps": [m.ravel().astype(float).tolist() for m in maps],
    "gts": [g.ravel().tolist() for g in gts],
    "expected": {str(lim): float(trapezoid(fprs, pros, lim) / lim) for lim in [0.3, 0.05, 1.0]},
}

path = os.path.join(os.path.dirname(__file__), "..", "src", "__fixtures__", "reference.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
print("wrote", os.path.abspath(path), os.path.getsize(path), "bytes")
