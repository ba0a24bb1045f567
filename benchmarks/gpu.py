#!/usr/bin/env python
"""The paper preset on synthetic 224 px clips on a CUDA GPU: clips/s, ms/step, peak memory, largest batch, RAER epoch time.

No RAER and no weights are needed: the model is `build_model(paper preset, pretrained=None)` (random ViT-B/32; speed
does not depend on the weights) and the clips are random tensors already on the device (data loading is left out: with
the crop cache it is not the bottleneck on a GPU machine; see benchmarks/loader.py). Without a CUDA device it prints
"no CUDA device" and exits 0, unless `--device cpu` asks for a CPU dry run of the same code path (use tiny sizes:
`--device cpu --steps 2 --clip-model clip-caer-tiny-vit --image-size 64 --frames 4 --batch 2 --max-batch 4`).

Usage: python benchmarks/gpu.py [--amp bf16|fp16|no] [--compile] [--channels-last] [--batch 8] [--steps 20]
                                [--warmup 3] [--device cuda] [--max-batch 64] [--no-search] [--grad-checkpointing]
The estimate of one RAER epoch = 2,121 training clips / (training clips/s) + 528 test + ~318 validation clips /
(evaluation clips/s) (reference.md §4: 2,121 train, 528 test; validation = 15 % of train held out by participant).
"""
import argparse, contextlib, math, sys, time

RAER_TRAIN, RAER_TEST, RAER_VAL = 2121, 528, 318


def largest_fitting(fits, start: int, cap: int) -> int:
    "Largest n in [1, cap] with fits(n) True, assuming fits is monotone: double from `start`, then bisect. 0 if none."
    lo, hi, n = 0, None, max(1, min(start, cap))
    while True:                       # grow until it fails or reaches the cap
        if fits(n): lo = n
        else: hi = n; break
        if n >= cap: return lo
        n = min(cap, n * 2)
    while hi - lo > 1:                # lo fits, hi does not
        mid = (lo + hi) // 2
        if fits(mid): lo = mid
        else: hi = mid
    return lo


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog='gpu.py', description=__doc__.split('\n')[0])
    p.add_argument('--amp', choices=['bf16', 'fp16', 'no'], default='bf16')
    p.add_argument('--compile', action='store_true', help='torch.compile the model')
    p.add_argument('--channels-last', action='store_true', help='channels_last memory format for the image encoder input and convolutions')
    p.add_argument('--grad-checkpointing', action='store_true', help='model.grad_checkpointing=True (activation checkpointing)')
    p.add_argument('--batch', type=int, default=8, help='clips per step (the paper: 8)')
    p.add_argument('--steps', type=int, default=20, help='timed training steps')
    p.add_argument('--warmup', type=int, default=3, help='untimed steps first (cuDNN autotune, compile)')
    p.add_argument('--device', default=None, help='cuda (default when available), cuda:N, or cpu for a dry run')
    p.add_argument('--max-batch', type=int, default=64, help='upper end of the largest-batch search')
    p.add_argument('--no-search', action='store_true', help='skip the largest-batch search')
    p.add_argument('--clip-model', default='ViT-B-32'); p.add_argument('--image-size', type=int, default=224)
    p.add_argument('--frames', type=int, default=16)
    a = p.parse_args(argv)
    import torch
    from torch import nn
    if a.device is None or a.device.startswith('cuda'):
        if not torch.cuda.is_available():
            print("gpu.py: no CUDA device (torch.cuda.is_available() is False); nothing to measure. "
                  "On a CPU: --device cpu --steps 2 runs the code path at tiny sizes."); return 0
    dev = torch.device(a.device or 'cuda')
    cuda = dev.type == 'cuda'
    from clip_caer_nb.core import apply_overrides, get_preset, set_seed
    from clip_caer_nb.model import build_model
    from clip_caer_nb.train import build_optimizer
    cfg = apply_overrides(get_preset('paper'), [f'model.clip_model={a.clip_model}', 'model.pretrained=null', f'data.image_size={a.image_size}',
                                                f'data.num_segments={a.frames}', f'model.grad_checkpointing={str(a.grad_checkpointing).lower()}'])
    dtype = {'bf16': torch.bfloat16, 'fp16': torch.float16, 'no': None}[a.amp]
    if cuda and a.amp == 'bf16' and not torch.cuda.is_bf16_supported():
        print("gpu.py: this GPU has no bf16 (e.g. a T4); use --amp fp16"); return 2
    set_seed(0)
    model = build_model(cfg).to(dev)
    if a.channels_last:
        model.image_encoder.to(memory_format=torch.channels_last)
        model.image_encoder.register_forward_pre_hook(lambda m, args: (args[0].contiguous(memory_format=torch.channels_last), *args[1:]))
    opt = build_optimizer(model.param_groups(cfg.train), cfg.train)
    scaler = torch.amp.GradScaler(dev.type, enabled=a.amp == 'fp16')
    net = torch.compile(model) if a.compile else model
    amp = (lambda: torch.autocast(dev.type, dtype=dtype)) if dtype is not None else contextlib.nullcontext
    loss_fn = nn.CrossEntropyLoss()
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    S, T = a.image_size, a.frames
    clips = lambda B: (torch.rand(B, T, 3, S, S, device=dev), torch.rand(B, T, 3, S, S, device=dev), torch.randint(0, cfg.n_classes, (B,), device=dev))

    def train_steps(B, n):
        face, ctx, y = clips(B); model.train(); losses = []
        for _ in range(n):
            with amp(): logits = net(face, ctx)
            loss = loss_fn(logits.float(), y)
            scaler.scale(loss).backward(); scaler.step(opt); scaler.update(); opt.zero_grad(set_to_none=True)
            losses.append(float(loss.detach()))
        sync(); return losses

    def eval_steps(B, n):
        face, ctx, _ = clips(B); model.eval()
        with torch.no_grad(), amp():
            for _ in range(n): net(face, ctx)
        sync()

    print(f"device={dev}{' (' + torch.cuda.get_device_name(dev) + ')' if cuda else ''} model={a.clip_model} {S} px {T} frames x 2 streams "
          f"amp={a.amp} compile={a.compile} channels_last={a.channels_last} grad_checkpointing={a.grad_checkpointing} batch={a.batch}")
    if cuda: torch.cuda.reset_peak_memory_stats(dev)
    train_steps(a.batch, a.warmup)
    t = time.perf_counter(); losses = train_steps(a.batch, a.steps); dt = (time.perf_counter() - t) / a.steps
    peak = torch.cuda.max_memory_allocated(dev) / 1024 ** 3 if cuda else float('nan')
    eb = 2 * a.batch
    eval_steps(eb, 1); t = time.perf_counter(); eval_steps(eb, max(1, a.steps // 2)); de = (time.perf_counter() - t) / max(1, a.steps // 2)
    train_cps, eval_cps = a.batch / dt, eb / de
    print(f"train: {dt * 1000:.1f} ms/step, {train_cps:.2f} clips/s, peak GPU memory {peak:.2f} GiB" + ('' if cuda else ' (not measured on the CPU)'))
    print(f"eval (batch {eb}, no_grad): {de * 1000:.1f} ms/step, {eval_cps:.2f} clips/s")
    print(f"loss over the timed steps: {losses[0]:.3f} -> {losses[-1]:.3f} (random clips; a smoke check, not learning)")

    if not a.no_search:
        def fits(B):
            try: train_steps(B, 1); return True
            except torch.OutOfMemoryError: return False
            finally:
                opt.zero_grad(set_to_none=True)
                if cuda: torch.cuda.empty_cache()
        if cuda or a.max_batch <= 8:
            best = largest_fitting(fits, a.batch, a.max_batch)
            print(f"largest batch that fits: {best}" + (f" (search capped at --max-batch {a.max_batch})" if best == a.max_batch else ''))
        else: print("largest-batch search skipped on the CPU above --max-batch 8 (no OOM signal: the process would be killed)")
    epoch = RAER_TRAIN / train_cps + (RAER_VAL + RAER_TEST) / eval_cps
    print(f"estimated RAER epoch ({RAER_TRAIN} train + {RAER_VAL} val + {RAER_TEST} test clips, data loading excluded): "
          f"{epoch / 60:.1f} min; 20 epochs: {20 * epoch / 3600:.2f} h")
    return 0


if __name__ == '__main__':
    sys.exit(main())
