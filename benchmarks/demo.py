#!/usr/bin/env python
"""Benchmark `clip-caer demo`: wall time and peak memory of the whole demo, run as a subprocess in a fresh folder.

Reports, for the demo and for baselines measured in the same run on the same machine state:
  * wall time (s) and peak RSS (GiB) of the child process (os.wait4 rusage, i.e. getrusage(RUSAGE_CHILDREN) of that child);
  * ratios against the goals (240 s, 4 GiB) and against each baseline;
  * the demo's own numbers from figures/results.json (UAR/WAR of face-only vs face+context, Distraction lift).
Baselines: `import` (python + `import clip_caer_nb.train`), `data` (writing the synthetic data set only) and
`epoch1` (the whole demo with 1 epoch per model).

Usage:  python benchmarks/demo.py [--clips N] [--epochs N] [--baselines import,data,epoch1] [--json out.json] [--keep DIR]
"""
import argparse, json, os, shutil, subprocess, sys, tempfile, time
from pathlib import Path

GOAL_SECONDS, GOAL_GIB = 240.0, 4.0   # issue 10: each `clip-caer demo` run <= 4 minutes wall on 2 cores, <= 4 GiB
DEMO = 'import sys; from clip_caer_nb.demo import demo_cli; sys.exit(demo_cli(sys.argv[1:]))'
DATA = ('import sys; from clip_caer_nb.demo_runs import ensure_demo_data; '
        'ensure_demo_data(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), log=None)')


def measure(cmd, label, log):
    "Run `cmd`; return dict(label, seconds, peak_gib, rc) with the child's own peak RSS (os.wait4)."
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    p.returncode = os.waitstatus_to_exitcode(status)
    peak_gib = ru.ru_maxrss * 1024 / 2**30  # ru_maxrss is in KiB on Linux
    log(f"{label:>8}: {wall:7.1f} s  peak {peak_gib:5.2f} GiB  rc {p.returncode}")
    if p.returncode != 0: log(out[-3000:])
    return dict(label=label, seconds=round(wall, 2), peak_gib=round(peak_gib, 3), rc=p.returncode, output_tail=out[-1500:])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--clips', type=int, default=None, help='clips of the synthetic data set (default: the demo default)')
    ap.add_argument('--epochs', type=int, default=None, help='epochs per model (default: the demo preset)')
    ap.add_argument('--seed', type=int, default=42)
    ap.add_argument('--baselines', default='import,data,epoch1', help='comma list of import, data, epoch1 (or "none")')
    ap.add_argument('--json', default=None, help='also write the report to this JSON file')
    ap.add_argument('--keep', default=None, help='run in this folder and keep it (default: a temporary folder, removed)')
    a = ap.parse_args(argv)
    from clip_caer_nb.demo_runs import DEMO_CLIPS
    clips = a.clips or DEMO_CLIPS
    root = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix='clip-caer-demo-bench-'))
    root.mkdir(parents=True, exist_ok=True)
    lines = []
    log = lambda s: (print(s, flush=True), lines.append(s))
    load = os.getloadavg()
    log(f"machine: {os.cpu_count()} cpus, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at start; folder {root}")
    py = sys.executable
    common = ['--clips', str(clips), '--seed', str(a.seed), '--quiet'] + (['--epochs', str(a.epochs)] if a.epochs else [])
    runs = {}
    wanted = [] if a.baselines == 'none' else [b.strip() for b in a.baselines.split(',') if b.strip()]
    bad = set(wanted) - {'import', 'data', 'epoch1'}
    if bad: ap.error(f"--baselines: unknown {sorted(bad)}; expected import, data, epoch1 or none")
    if 'import' in wanted: runs['import'] = measure([py, '-c', 'import clip_caer_nb.train'], 'import', log)
    if 'data' in wanted: runs['data'] = measure([py, '-c', DATA, str(root / 'data-only'), str(clips), str(a.seed)], 'data', log)
    if 'epoch1' in wanted:
        runs['epoch1'] = measure([py, '-c', DEMO, '--out', str(root / 'epoch1'), '--clips', str(clips), '--seed', str(a.seed),
                                  '--quiet', '--epochs', '1'], 'epoch1', log)
    runs['demo'] = measure([py, '-c', DEMO, '--out', str(root / 'demo')] + common, 'demo', log)
    d = runs['demo']
    report = dict(goal=dict(seconds=GOAL_SECONDS, peak_gib=GOAL_GIB), clips=clips, epochs=a.epochs, cpus=os.cpu_count(),
                  loadavg_start=load, loadavg_end=os.getloadavg(), runs=runs,
                  ratios=dict(seconds_vs_goal=round(d['seconds'] / GOAL_SECONDS, 3), peak_vs_goal=round(d['peak_gib'] / GOAL_GIB, 3),
                              **{f'seconds_vs_{k}': round(d['seconds'] / max(v['seconds'], 1e-9), 2) for k, v in runs.items() if k != 'demo'},
                              **{f'peak_vs_{k}': round(d['peak_gib'] / max(v['peak_gib'], 1e-9), 2) for k, v in runs.items() if k != 'demo'}))
    res_file = root / 'demo' / 'figures' / 'results.json'
    if d['rc'] == 0 and res_file.exists():
        r = json.loads(res_file.read_text())
        f, b = r['variants']['face']['selected'], r['variants']['both']['selected']
        report['results'] = dict(face=dict(uar=f['uar'], war=f['war'], distraction=f['per_class_recall'].get('Distraction'), epoch=f['epoch']),
                                 both=dict(uar=b['uar'], war=b['war'], distraction=b['per_class_recall'].get('Distraction'), epoch=b['epoch']),
                                 uar_lift=r['uar_lift'], distraction_lift=r['distraction_lift'], demo_seconds=r['seconds'],
                                 test_clips=sum(r['data']['class_counts'].get('test', [])))
    rt = report['ratios']
    log(f"demo: {d['seconds']:.1f} s = {rt['seconds_vs_goal']:.2f} x the {GOAL_SECONDS:.0f} s goal; "
        f"peak {d['peak_gib']:.2f} GiB = {rt['peak_vs_goal']:.2f} x the {GOAL_GIB:.0f} GiB goal")
    for k in runs:
        if k != 'demo': log(f"demo vs {k}: {rt[f'seconds_vs_{k}']:.2f} x time, {rt[f'peak_vs_{k}']:.2f} x peak memory")
    if 'results' in report:
        R = report['results']
        log(f"face only: UAR {R['face']['uar']} WAR {R['face']['war']} Distraction {R['face']['distraction']}; "
            f"face+context: UAR {R['both']['uar']} WAR {R['both']['war']} Distraction {R['both']['distraction']}; "
            f"lift UAR {R['uar_lift']}, Distraction {R['distraction_lift']} ({R['test_clips']} test clips)")
    if a.json: Path(a.json).write_text(json.dumps(report, indent=2) + '\n')
    if not a.keep: shutil.rmtree(root, ignore_errors=True)
    return 0 if d['rc'] == 0 else 1


if __name__ == '__main__':
    sys.exit(main())
