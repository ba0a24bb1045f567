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
import sys

from clip_caer_nb.gpubench import main   # the code lives in the package (nbs/07c_gpu_benchmark.ipynb), so a wheel has it too

if __name__ == '__main__':
    sys.exit(main())
