#!/usr/bin/env python3
"""Export DINOv2 ViT-S/14 to ONNX for BrakeDiscInspector (fixed 448x448 input, blocks 9-11 raw as outputs).

Usage (needs torch + onnx; on Debian: apt-get install python3-torch python3-onnx, run with /usr/bin/python3):

  python3 models/export_dinov2.py --checkpoint dinov2_vits14_pretrain.pth --out dinov2-vits14.onnx
  python3 models/export_dinov2.py --random-weights --out /tmp/dinov2-random.onnx   # speed benchmarks ONLY

then: npm run models -- import dinov2-vits14.onnx

The official checkpoint is https://dl.fbaipublicfiles.com/dinov2/dinov2_vits14/dinov2_vits14_pretrain.pth
(Apache-2.0). The module below re-implements DinoVisionTransformer with the same state_dict keys, so the
checkpoint loads with strict=True. The positional embedding (trained at 518 = 37x37 patches) is interpolated to
the fixed input grid at export time (bicubic, interpolate_offset 0.1, no antialias, as facebookresearch/dinov2
does for dinov2_vits14) and baked in as a constant, so the graph contains no Resize.

Graph I/O:
  input  pixel_values float32 [1,3,S,S]   (RGB, ImageNet mean/std normalised; S = 448 by default)
  output block9, block10, block11 float32 [1,(S/14)^2,384]   raw block outputs (no final norm), CLS dropped
  output patch_tokens float32 [1,(S/14)^2,384]   final-norm patch tokens (for reference)
Never report quality numbers from --random-weights: it builds the architecture for timing only.
"""
import argparse
import math
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F


class LayerScale(nn.Module):
    def __init__(self, dim, init=1e-5):
        super().__init__()
        self.gamma = nn.Parameter(init * torch.ones(dim))

    def forward(self, x):
        return x * self.gamma


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3, bias=True)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0] * self.scale, qkv[1], qkv[2]
        attn = (q @ k.transpose(-2, -1)).softmax(dim=-1)
        x = (attn @ v).transpose(1, 2).reshape(b, n, c)
        return self.proj(x)


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.ls1 = LayerScale(dim)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, dim * 4)
        self.ls2 = LayerScale(dim)

    def forward(self, x):
        x = x + self.ls1(self.attn(self.norm1(x)))
        return x + self.ls2(self.mlp(self.norm2(x)))


class PatchEmbed(nn.Module):
    def __init__(self, patch, dim):
        super().__init__()
        self.proj = nn.Conv2d(3, dim, kernel_size=patch, stride=patch)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class DinoVisionTransformer(nn.Module):
    """ViT-S/14 with the official state_dict layout (cls_token, pos_embed [1,1370,384], mask_token, ...)."""

    def __init__(self, patch=14, dim=384, depth=12, heads=6, train_grid=37, registers=0):
        super().__init__()
        self.patch = patch
        self.train_grid = train_grid
        self.patch_embed = PatchEmbed(patch, dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, 1 + train_grid * train_grid, dim))
        self.mask_token = nn.Parameter(torch.zeros(1, dim))
        self.num_register_tokens = registers
        if registers:
            self.register_tokens = nn.Parameter(torch.zeros(1, registers, dim))
        self.blocks = nn.ModuleList([Block(dim, heads) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.fixed_pos = None
        self.out_blocks = (9, 10, 11)

    @torch.no_grad()
    def bake_pos_embed(self, grid, antialias=False, offset=0.1):
        cls_pos, patch_pos = self.pos_embed[:, :1], self.pos_embed[:, 1:]
        m = self.train_grid
        dim = patch_pos.shape[-1]
        patch_pos = patch_pos.reshape(1, m, m, dim).permute(0, 3, 1, 2)
        if offset:
            sx = float(grid + offset) / m
            patch_pos = F.interpolate(patch_pos, scale_factor=(sx, sx), mode="bicubic", antialias=antialias)
        else:
            patch_pos = F.interpolate(patch_pos, size=(grid, grid), mode="bicubic", antialias=antialias)
        assert patch_pos.shape[-2:] == (grid, grid), patch_pos.shape
        patch_pos = patch_pos.permute(0, 2, 3, 1).reshape(1, grid * grid, dim)
        self.fixed_pos = torch.cat([cls_pos, patch_pos], dim=1).detach().clone()

    def forward(self, x):
        x = self.patch_embed(x)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.fixed_pos
        prefix = 1
        if self.num_register_tokens:
            x = torch.cat([x[:, :1], self.register_tokens.expand(x.shape[0], -1, -1), x[:, 1:]], dim=1)
            prefix += self.num_register_tokens
        outs = {}
        for i, blk in enumerate(self.blocks):
            x = blk(x)
            if i in self.out_blocks:
                outs[i] = x[:, prefix:]
        normed = self.norm(x)[:, prefix:]
        return tuple(outs[i] for i in self.out_blocks) + (normed,)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", help="official dinov2_vits14_pretrain.pth (or _reg4_pretrain.pth with --registers 4)")
    ap.add_argument("--random-weights", action="store_true", help="architecture only, for speed benchmarks (never for quality)")
    ap.add_argument("--size", type=int, default=448, help="fixed square input (multiple of 14)")
    ap.add_argument("--registers", type=int, default=0)
    ap.add_argument("--out", required=True)
    ap.add_argument("--opset", type=int, default=17)
    a = ap.parse_args(argv)
    if a.size % 14:
        sys.exit("--size must be a multiple of 14")
    if not a.checkpoint and not a.random_weights:
        sys.exit("give --checkpoint FILE, or --random-weights for a speed-only model")
    torch.manual_seed(0)
    model = DinoVisionTransformer(registers=a.registers).eval()
    if a.checkpoint:
        sd = torch.load(a.checkpoint, map_location="cpu")
        if "model" in sd and isinstance(sd["model"], dict):
            sd = sd["model"]
        model.load_state_dict(sd, strict=True)
    else:
        for p in model.parameters():
            nn.init.trunc_normal_(p, std=0.02)
        with torch.no_grad():
            for blk in model.blocks:
                blk.ls1.gamma.fill_(1.0)
                blk.ls2.gamma.fill_(1.0)
    grid = a.size // 14
    # dinov2_vits14: offset 0.1, no antialias; the _reg variants: size= and antialias
    model.bake_pos_embed(grid, antialias=bool(a.registers), offset=0.0 if a.registers else 0.1)
    x = torch.rand(1, 3, a.size, a.size)
    names = [f"block{i}" for i in model.out_blocks] + ["patch_tokens"]
    with torch.no_grad():
        torch.onnx.export(model, (x,), a.out, input_names=["pixel_values"], output_names=names,
                          opset_version=a.opset, do_constant_folding=True)
    n = sum(p.numel() for p in model.parameters())
    print(f"wrote {a.out}: ViT-S/14 ({n} parameters, {'RANDOM weights: timing only' if a.random_weights else a.checkpoint}), "
          f"input [1,3,{a.size},{a.size}], outputs {names} [1,{grid * grid},384]")
    try:
        import onnx
        m = onnx.load(a.out)
        entry = m.metadata_props.add()
        entry.key, entry.value = "bdi.weights", ("random" if a.random_weights else "checkpoint")
        onnx.save(m, a.out)
        onnx.checker.check_model(a.out, full_check=True)
        print("onnx.checker: ok")
    except ImportError:
        pass


if __name__ == "__main__":
    main()
