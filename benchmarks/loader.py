#!/usr/bin/env python
"""Clips per second of the clip loader: the reference's approach vs `RAERDataset` without and with the crop cache.

The baseline re-implements what reference.md §2.4-2.5 describes: every sampled frame is opened twice with PIL (face and
context), the face is cropped with a 20 px margin and squash-resized with PIL bilinear, the context is cropped to the clip
box and letterboxed with cv2 bilinear, then (train) one rotation + flip per stream with PIL, Stack, /255.
`RAERDataset` decodes each frame once with OpenCV; with `--cache` it reads the stored crops instead.

    python benchmarks/loader.py                      # writes 20 synthetic 1920x1080 clips x 30 frames to a temp dir
    python benchmarks/loader.py --data data/RAER --mode test --clips 50
    python benchmarks/loader.py --annotation A --face-boxes F --context-boxes C --root R --cache /tmp/crops

One process, 16 frames, 224 px; ratios are against the baseline measured in the same run.
"""
from __future__ import annotations
import argparse, os, shutil, sys, tempfile, time, warnings
from dataclasses import replace
from pathlib import Path
import numpy as np


def write_synthetic(out: Path, n_clips: int, n_frames: int, size=(1920, 1080), seed: int = 0) -> Path:
    "A RAER-layout set of textured 1080p JPEG frames (noise + gradients, so JPEG sizes are realistic)."
    import cv2
    from clip_caer_nb.data import RAERWriter
    rng = np.random.default_rng(seed)
    W, H = size
    yy, xx = np.mgrid[:H, :W].astype(np.float32)
    with RAERWriter(out, overwrite=True, jpeg_quality=90) as w:
        for k in range(n_clips):
            base = np.stack([(xx / W * 180 + 40 * np.sin(yy / (50 + 10 * c) + k)) for c in range(3)], -1)
            tex = cv2.GaussianBlur(rng.normal(0, 40, (H // 4, W // 4, 3)).astype(np.float32), (0, 0), 2)
            base = base + cv2.resize(tex, (W, H))
            cx, cy = rng.uniform(0.3, 0.7) * W, rng.uniform(0.3, 0.5) * H
            grain = rng.normal(0, 3, (H, W, 3)).astype(np.float32)             # sensor noise, shifted every frame
            frames, boxes = [], []
            for t in range(n_frames):
                f = np.clip(base + np.roll(grain, 7 * t, axis=1) + rng.normal(0, 6, (1, 1, 3)), 0, 255).astype(np.uint8)
                x, y = cx + 5 * np.sin(t / 5), cy
                cv2.ellipse(f, (int(x), int(y)), (90, 120), 0, 0, 360, (220, 180, 150), -1)
                frames.append(f); boxes.append((x - 90, y - 120, x + 90, y + 120))
            ctx = (max(0, cx - 450), max(0, cy - 300), min(W, cx + 450), float(H))
            w.add_clip(f'images/SelfStudy/Library/P{k % 7 + 1:03d}/{k + 1:03d}', frames, k % 5, 'train', boxes, ctx)
    return out


class ReferenceLoader:
    "The reference's per-clip work (reference.md §2.3-2.5): two PIL opens per sampled frame, PIL resizes, /255."
    def __init__(self, ds, size: int = 224, margin: int = 20, train: bool = False, seed: int = 0):
        self.ds, self.size, self.margin, self.train = ds, size, margin, train
        self.rng = np.random.default_rng(seed)

    def _letterbox(self, img):
        import cv2
        from PIL import Image
        a = np.asarray(img); h, w = a.shape[:2]; S = self.size
        r = min(S / w, S / h); nw, nh = int(w * r), int(h * r)
        out = np.zeros((S, S, 3), np.uint8)
        out[(S - nh) // 2:(S - nh) // 2 + nh, (S - nw) // 2:(S - nw) // 2 + nw] = cv2.resize(a, (nw, nh), interpolation=cv2.INTER_LINEAR)
        return Image.fromarray(out)

    def _transform(self, imgs):
        import torch
        from PIL import Image
        if self.train:
            angle = self.rng.uniform(-4, 4)
            imgs = [im.rotate(angle, resample=Image.NEAREST) for im in imgs]
        imgs = [im.resize((self.size, self.size), Image.BILINEAR) for im in imgs]
        if self.train and self.rng.random() < 0.5: imgs = [im.transpose(Image.FLIP_LEFT_RIGHT) for im in imgs]
        x = np.concatenate([np.asarray(im) for im in imgs], axis=2)                 # Stack: (H, W, 3T)
        x = torch.from_numpy(x).permute(2, 0, 1).contiguous().float().div(255)      # ToTorchFormatTensor
        return x.view(-1, 3, self.size, self.size)

    def __getitem__(self, i):
        from PIL import Image
        from clip_caer_nb.data import tsn_train_indices, tsn_test_indices
        r, d = self.ds.records[i], self.ds.folder(i)
        names = sorted(os.listdir(d), key=lambda n: int(Path(n).stem) if Path(n).stem.isdigit() else 0)
        idx = tsn_train_indices(r.num_frames, 16, self.rng) if self.train else tsn_test_indices(r.num_frames, 16)
        fb, cb = self.ds.face_boxes.get(r.path, {}), self.ds.context_boxes.get(r.path)
        faces, contexts = [], []
        for j in idx:
            p = d / names[j]
            img, img_body = Image.open(p), Image.open(p)                            # opened (and decoded) twice
            if cb is not None: img_body = img_body.crop(cb)
            contexts.append(self._letterbox(img_body))
            box = fb.get(names[j])
            if box is not None:
                x1, y1, x2, y2 = (int(v) for v in box)
                img = img.crop((max(0, x1 - self.margin), max(0, y1 - self.margin),
                                min(img.width, x2 + self.margin), min(img.height, y2 + self.margin)))
            faces.append(img)
        return self._transform(faces), self._transform(contexts), r.label


def clips_per_second(get, n: int, repeats: int = 1) -> tuple[float, float]:
    "Best clips/s over `repeats` passes of `get(i)` for i < n, by wall clock and by this process's CPU time."
    get(0)                                                    # warm-up: lazy imports, first allocations
    wall = cpu = 0.0
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        for i in range(n): get(i)
        wall, cpu = max(wall, n / (time.perf_counter() - t)), max(cpu, n / (time.process_time() - c))
    return wall, cpu


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog='benchmarks/loader.py', description=__doc__.split('\n\n')[0])
    p.add_argument('--annotation'); p.add_argument('--face-boxes'); p.add_argument('--context-boxes'); p.add_argument('--root')
    p.add_argument('--data', help='data folder with the default layout (uses --split)')
    p.add_argument('--split', default='train', choices=['train', 'val', 'test'])
    p.add_argument('--cache', help='crop cache folder (default: a temp dir, removed afterwards)')
    p.add_argument('--mode', default='train', choices=['train', 'test'], help='sampling and augmentation of train or test')
    p.add_argument('--clips', type=int, default=20, help='clips to time (and to generate without data arguments)')
    p.add_argument('--frames', type=int, default=30, help='frames per generated clip')
    p.add_argument('--size', type=int, default=224)
    p.add_argument('--repeats', type=int, default=2, help='passes per method; the best is reported')
    p.add_argument('--threads', type=int, default=1, help='cv2 and torch threads (1 = one core, like a loader worker)')
    a = p.parse_args(argv)
    import cv2, torch
    cv2.setNumThreads(a.threads); torch.set_num_threads(a.threads)
    from clip_caer_nb.core import DataConfig
    from clip_caer_nb.data import RAERDataset, data_paths

    tmp = Path(tempfile.mkdtemp(prefix='loader-bench-'))
    try:
        if a.data: paths = data_paths(a.data, a.split)
        elif a.annotation:
            if not (a.face_boxes and a.context_boxes): p.error('--annotation needs --face-boxes and --context-boxes')
            paths = dict(annotation=a.annotation, face_boxes=a.face_boxes, context_boxes=a.context_boxes, root=a.root)
        else:
            t = time.perf_counter()
            data = write_synthetic(tmp / 'synthetic', a.clips, a.frames)
            print(f'wrote {a.clips} clips x {a.frames} frames of 1920x1080 to {data} in {time.perf_counter() - t:.1f}s')
            paths = data_paths(data, 'train')
        train = a.mode == 'train'
        cfg = DataConfig(image_size=a.size, face_margin=20, num_segments=16, normalize='unit')
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            ds = RAERDataset(paths['annotation'], paths['face_boxes'], paths['context_boxes'], root=paths['root'], cfg=cfg, train=train)
            cached = RAERDataset(paths['annotation'], paths['face_boxes'], paths['context_boxes'], root=paths['root'],
                                 cfg=replace(cfg, cache_dir=a.cache or str(tmp / 'cache')), train=train)
        n = min(a.clips, len(ds))
        for i in range(n):                                    # warm the OS file cache so no method pays for the disk
            for f in ds.folder(i).iterdir(): f.read_bytes()
        ref = ReferenceLoader(ds, a.size, 20, train)
        w, h = cv2.imread(str(ds.folder(0) / ds.frame_names(0)[0])).shape[1::-1]
        print(f'{n} clips, {ds.records[0].num_frames} frames in the first, frames {w}x{h}, mode {a.mode}, 16 frames x 2 streams at {a.size} px, '
              f'{a.threads} thread(s), best of {a.repeats}')
        base = clips_per_second(ref.__getitem__, n, a.repeats)
        ours = clips_per_second(ds.__getitem__, n, a.repeats)
        t = time.perf_counter()
        for i in range(n): cached.crops(i, [0])              # fills the cache: all frames of the clip, decoded once
        build = time.perf_counter() - t
        warm = clips_per_second(cached.__getitem__, n, a.repeats)
        f0, c0, _ = ref[0]; it = ds[0]
        assert f0.shape == it['face_clip'].shape and c0.shape == it['context_clip'].shape, (f0.shape, it['face_clip'].shape)
        rows = [('reference approach (PIL, 2 decodes/frame)', base), ('RAERDataset, no cache (cv2, 1 decode/frame)', ours),
                ('RAERDataset, crop cache (warm)', warm)]
        print(f'{"":<46} {"wall clips/s":>12} {"ratio":>7}   {"CPU clips/s":>11} {"ratio":>7}')
        for name, (v, c) in rows: print(f'{name:<46} {v:12.2f} {v / base[0]:6.2f}x   {c:11.2f} {c / base[1]:6.2f}x')
        print(f'{"cache build (all frames of each clip, once)":<46} {n / build:12.2f}            ({build:.1f}s for {n} clips)')
        print(f'load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (the CPU-time column is less sensitive to other processes)')
        d = (cached[0]['face_clip'] - ds[0]['face_clip']).abs().max().item()
        print(f'max |cached - uncached| on clip 0: {d:.3g}')
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
