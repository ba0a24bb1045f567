#!/usr/bin/env python
"""Batched vs two-pass encoding of the face and context streams through one shared CLIP image encoder.

`clip_caer_nb.backbone.encode_streams(visual, face_clip, context_clip, batched=True)` concatenates both streams into
one batch of 2·B·T images; `batched=False` reproduces the reference's two encoder calls (reference.md §1.6).
This script times both, in the same run, for each model, in two modes:
  * infer: eval mode, no_grad (feature extraction, the feature cache, evaluation);
  * train: train mode, forward + backward of the visual tower (fine-tuning the image encoder).
It prints the mean seconds per call and the ratio two-pass / batched (> 1 means batched is faster).

Usage:  python benchmarks/encode_streams.py [--models clip-caer-tiny-rn clip-caer-tiny-vit ViT-B-32]
                                            [--batch 2] [--frames 16] [--repeats 3] [--threads N] [--no-train]
ViT-B-32 is randomly initialised (no download) at 224 px; timing does not depend on the weights.

Measured 2026-11-22, 2-core CPU shared with other jobs (load 7-10; ratios from interleaved runs):
  ViT-B-32            infer  64 images  batched 27.998 s  two-pass 30.262 s  -> 1.08x   (--batch 2 --repeats 3 --no-train)
  ViT-B-32            infer  32 images  batched 16.869 s  two-pass 20.243 s  -> 1.20x   (--batch 1 --repeats 2)
  ViT-B-32            train  32 images  batched 55.405 s  two-pass 70.115 s  -> 1.27x   (forward + backward)
  clip-caer-tiny-rn   infer  64 images  batched  0.560 s  two-pass  0.632 s  -> 1.13x
  clip-caer-tiny-rn   train  64 images  batched  0.337 s  two-pass  0.401 s  -> 1.19x
  clip-caer-tiny-vit  infer  64 images  batched  0.079 s  two-pass  0.121 s  -> 1.52x
  clip-caer-tiny-vit  train  64 images  batched  0.343 s  two-pass  0.395 s  -> 1.15x
Batched is never slower here; for a BatchNorm tower in train mode it is also the correct choice (see 03_encoders).
"""
import argparse, time, statistics, sys
import torch


def _time_pair(fa, fb, repeats: int) -> tuple[float, float]:
    "Median seconds of `fa` and `fb`, interleaved (a, b, a, b, ...) so that load from other processes hits both alike."
    fa(); fb()  # warm-up
    ta, tb = [], []
    for _ in range(repeats):
        t = time.perf_counter(); fa(); ta.append(time.perf_counter() - t)
        t = time.perf_counter(); fb(); tb.append(time.perf_counter() - t)
    return statistics.median(ta), statistics.median(tb)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog='encode_streams.py', description=__doc__.split('\n')[0])
    p.add_argument('--models', nargs='+', default=['clip-caer-tiny-rn', 'clip-caer-tiny-vit', 'ViT-B-32'])
    p.add_argument('--batch', type=int, default=2, help='clips per batch (B)')
    p.add_argument('--frames', type=int, default=16, help='frames per clip (T)')
    p.add_argument('--repeats', type=int, default=3)
    p.add_argument('--threads', type=int, default=None, help='torch.set_num_threads')
    p.add_argument('--no-train', action='store_true', help='skip the forward+backward (train mode) timing')
    p.add_argument('--device', default=None)
    a = p.parse_args(argv)
    if a.threads: torch.set_num_threads(a.threads)
    from clip_caer_nb.backbone import build_clip, encode_streams
    from clip_caer_nb.core import get_device
    dev = get_device(a.device)
    print(f"device={dev} threads={torch.get_num_threads()} B={a.batch} T={a.frames} repeats={a.repeats} (median, interleaved)")
    print(f"{'model':<20} {'mode':<6} {'images':>6} {'batched s':>10} {'two-pass s':>11} {'two-pass/batched':>17}")
    for name in a.models:
        torch.manual_seed(0)
        model = build_clip(name).to(dev)
        size = model.visual.image_size
        size = size[0] if isinstance(size, (tuple, list)) else size
        face = torch.rand(a.batch, a.frames, 3, size, size, device=dev)
        context = torch.rand(a.batch, a.frames, 3, size, size, device=dev)
        visual = model.visual
        modes = ['infer'] + ([] if a.no_train else ['train'])
        for mode in modes:
            def run(batched):
                if mode == 'infer':
                    visual.eval()
                    with torch.no_grad(): encode_streams(visual, face, context, batched=batched)
                else:
                    visual.train(); visual.zero_grad(set_to_none=True)
                    f, c = encode_streams(visual, face, context, batched=batched)
                    (f.sum() + c.sum()).backward()
                if dev.type == 'cuda': torch.cuda.synchronize()
            tb, t2 = _time_pair(lambda: run(True), lambda: run(False), a.repeats)
            print(f"{name:<20} {mode:<6} {2 * a.batch * a.frames:>6} {tb:>10.4f} {t2:>11.4f} {t2 / tb:>16.2f}x", flush=True)
        del model
    return 0


if __name__ == '__main__':
    sys.exit(main())
