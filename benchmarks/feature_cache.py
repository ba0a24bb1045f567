#!/usr/bin/env python
"""Epoch time of prompt + temporal training on cached features vs encoding every frame every epoch.

With a frozen image encoder (ModelConfig.freeze_image_encoder=True) only the CoOp context vectors, the two temporal
transformers and the fusion layer train. This script trains exactly those parts for a few epochs, twice, in one run:
  * baseline: every step encodes the face and context frames with the frozen encoder (no_grad, one batched pass);
  * cached:   the frames are encoded once with `backbone.build_feature_cache`, and every epoch reads the features
              through `backbone.CachedFeatureDataset` and a DataLoader.
Both use in-memory random frames (no JPEG decoding), so the baseline is a lower bound: with real RAER the baseline also
decodes and crops 1080p JPEGs every epoch and the speed-up is larger.

Usage: python benchmarks/feature_cache.py [--model ViT-B-32] [--clips 8] [--frames 16] [--batch 8] [--epochs 2]
                                          [--threads N]
ViT-B-32 is randomly initialised at 224 px (no download); the time per epoch does not depend on the weights.
`--model clip-caer-tiny-vit` runs in seconds.

Measured 2026-11-22, 2-core CPU shared with other jobs (times inflated several-fold; ratios from the same run):
  python benchmarks/feature_cache.py --model ViT-B-32 --clips 8 --batch 8 --epochs 2
  building the cache (once) = encoding one epoch :  116.010 s  (0.53 MB for 8 clips)
  CoOp prompts:  epoch 110.738 s encoding every epoch vs 11.218 s cached  -> 9.9x  (20 epochs incl. building: 6.5x)
  fixed prompts: epoch 117.800 s vs 1.790 s cached                         -> 65.8x
With CoOp the frozen text tower's forward+backward in every step dominates the cached epoch.
"""
import argparse, statistics, sys, tempfile, time
from pathlib import Path
import torch
import torch.nn as nn
import torch.nn.functional as F


class InMemoryClips(torch.utils.data.Dataset):
    "Random face/context clips (T,3,S,S) with the item dict of `RAERDataset` (01_dataset), generated once and kept in memory."
    def __init__(self, n, T, S, n_classes=5, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.face = torch.rand(n, T, 3, S, S, generator=g)
        self.context = torch.rand(n, T, 3, S, S, generator=g)
        self.labels = [i % n_classes for i in range(n)]
    def __len__(self): return len(self.labels)
    def __getitem__(self, i):
        T = self.face.shape[1]
        return dict(face_clip=self.face[i], context_clip=self.context[i], label=self.labels[i], path=f'mem/{i:04d}',
                    scene='Library', participant=f'P{i:03d}', frame_indices=torch.arange(T))


class Head(nn.Module):
    "The trainable part with a frozen encoder: prompts, two temporal transformers, fusion (reference.md §1.3)."
    def __init__(self, clip_model, texts, T, dim, prompt='coop'):
        super().__init__()
        from clip_caer_nb.prompts import PromptLearner, TextEncoder
        from clip_caer_nb.temporal import TemporalTransformer
        self.prompt = prompt
        if prompt == 'coop':   # 8 learnable context tokens: the text tower runs in every step (reference.md §1.4)
            self.prompt_learner, self.text_encoder = PromptLearner(clip_model, texts, n_ctx=8), TextEncoder(clip_model)
        else:                  # fixed texts: the class embeddings are computed once
            pl = PromptLearner(clip_model, texts, n_ctx=0)
            with torch.no_grad(): self.register_buffer('text', F.normalize(TextEncoder(clip_model)(pl(), pl.tokenized), dim=-1))
        self.temporal_face, self.temporal_context = TemporalTransformer(T, dim), TemporalTransformer(T, dim)
        self.fusion = nn.Linear(2 * dim, dim)
    def forward(self, face_feats, context_feats):
        if self.prompt == 'coop': text = F.normalize(self.text_encoder(self.prompt_learner(), self.prompt_learner.tokenized), dim=-1)
        else: text = self.text
        f, _ = self.temporal_face(face_feats); c, _ = self.temporal_context(context_feats)
        video = F.normalize(self.fusion(torch.cat([f, c], -1)), dim=-1)
        return 100.0 * video @ text.T


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog='feature_cache.py', description=__doc__.split('\n')[0])
    p.add_argument('--model', default='ViT-B-32')
    p.add_argument('--clips', type=int, default=8)
    p.add_argument('--frames', type=int, default=16)
    p.add_argument('--batch', type=int, default=8)
    p.add_argument('--epochs', type=int, default=2)
    p.add_argument('--threads', type=int, default=None)
    a = p.parse_args(argv)
    if a.threads: torch.set_num_threads(a.threads)
    from clip_caer_nb.backbone import build_clip, encode_streams, build_feature_cache, CachedFeatureDataset
    from clip_caer_nb.prompts import get_descriptors
    torch.manual_seed(0)
    clip_model = build_clip(a.model).eval()
    visual = clip_model.visual
    for q in visual.parameters(): q.requires_grad_(False)
    S = visual.image_size; S = S[0] if isinstance(S, (tuple, list)) else S
    dim = visual.output_dim
    data = InMemoryClips(a.clips, a.frames, S)
    texts = get_descriptors('class_descriptor_5')
    print(f"model={a.model} ({S}px, d={dim}) clips={a.clips} frames={a.frames} batch={a.batch} epochs={a.epochs} "
          f"threads={torch.get_num_threads()}; images encoded per epoch without a cache: {2 * a.clips * a.frames}")

    def train_epochs(head, batches_fn):
        opt = torch.optim.SGD([q for q in head.parameters() if q.requires_grad], lr=1e-3, momentum=0.9)
        times = []
        for _ in range(a.epochs):
            t = time.perf_counter()
            for face_feats, context_feats, y in batches_fn():
                loss = F.cross_entropy(head(face_feats, context_feats), y)
                opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
            times.append(time.perf_counter() - t)
        return times

    # baseline: encode the frames in every step
    loader = torch.utils.data.DataLoader(data, batch_size=a.batch, shuffle=True)
    def encoded_batches():
        for b in loader:
            with torch.no_grad(): f, c = encode_streams(visual, b['face_clip'], b['context_clip'], batched=True)
            yield f, c, b['label']
    torch.manual_seed(0)
    base = train_epochs(Head(clip_model, texts, a.frames, dim), encoded_batches)

    # cached: encode once, then read features
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        path = build_feature_cache(visual, data, Path(tmp) / 'features.safetensors', frames='sampled', progress=False)
        build_s = time.perf_counter() - t
        cached = CachedFeatureDataset(path)
        cloader = torch.utils.data.DataLoader(cached, batch_size=a.batch, shuffle=True)
        def cached_batches():
            for b in cloader: yield b['face_feats'], b['context_feats'], b['label']
        torch.manual_seed(0)
        fast = train_epochs(Head(clip_model, texts, a.frames, dim), cached_batches)
        torch.manual_seed(0)
        fast_fixed = train_epochs(Head(clip_model, texts, a.frames, dim, prompt='fixed'), cached_batches)
        size_mb = path.stat().st_size / 1e6

    ep = lambda ts: ', '.join(f'{x:.3f}' for x in ts)
    tb, tc, tf = statistics.median(base), statistics.median(fast), statistics.median(fast_fixed)
    print(f"building the cache (once) = encoding one epoch : {build_s:8.3f} s  ({size_mb:.2f} MB for {a.clips} clips)")
    print(f"CoOp prompts (n_ctx=8, text tower in every step; the reference setting):")
    print(f"  epoch, encoding every epoch : {tb:8.3f} s  (epochs: {ep(base)})")
    print(f"  epoch, cached features      : {tc:8.3f} s  (epochs: {ep(fast)})")
    print(f"  speed-up per epoch          : {tb / tc:8.1f}x   measured")
    print(f"  20 epochs                   : {20 * tb:8.1f} s without cache vs {build_s + 20 * tc:.1f} s with it "
          f"(incl. building) = {20 * tb / (build_s + 20 * tc):.1f}x")
    print(f"fixed prompts (n_ctx=0, class embeddings computed once):")
    print(f"  epoch, cached features      : {tf:8.3f} s  (epochs: {ep(fast_fixed)})")
    print(f"  epoch, encoding every epoch : {build_s + tf:8.3f} s  (= one encoding epoch + the cached epoch, both measured above)")
    print(f"  speed-up per epoch          : {(build_s + tf) / tf:8.1f}x")
    return 0


if __name__ == '__main__':
    sys.exit(main())
