#!/usr/bin/python3
"""test_plot.py - scripts/plot on small run and sweep directories written here: confidence bands
clipped to the metric's range, integer ticks for integer parameters, days on the x axis, and
several strategies on one figure paired by replicate. The figures are caught before they are
written (scripts/plot's save) and their artists read back.

Exit status 77 (a CTest skip) when /usr/bin/python3 has no matplotlib."""
import csv
import importlib.machinery
import importlib.util
import math
import os
import sys
import tempfile
import unittest

try:
    import matplotlib  # noqa: F401
except ImportError:
    print("SKIP: no matplotlib for %s" % sys.executable)
    sys.exit(77)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
loader = importlib.machinery.SourceFileLoader("swarmlab_plot", os.path.join(ROOT, "scripts", "plot"))
spec = importlib.util.spec_from_loader("swarmlab_plot", loader)
plot = importlib.util.module_from_spec(spec)
loader.exec_module(plot)

FIGS = {}


def capture(fig, out, name, made):
    FIGS[name] = fig
    made.append(os.path.join(out, name))


plot.save = capture


def write_csv(path, head, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(head)
        for r in rows:
            w.writerow(r)


def sweep(d, params, points, metric_rows):
    """A sweep directory: params is a list of names, points a list of (values, replicate, seed,
    finals dict); metric_rows(i) gives the rows (step, metric...) of run i and its header."""
    finals = sorted({k for _, _, _, f in points for k in f})
    head = ["run", "point"] + ["replicate"] + params + ["seed", "status", "error", "wall_seconds",
                                                       "steps"] + finals
    rows = []
    for i, (vals, rep, seed, fin) in enumerate(points):
        run = "%04d" % i
        rows.append([run, "0", str(rep)] + [str(v) for v in vals] +
                    [str(seed), "ok", "", "0.1", "10"] + [repr(fin.get(k, "")) for k in finals])
        mh, mrows = metric_rows(i)
        write_csv(os.path.join(d, "runs", run, "metrics.csv"), mh, mrows)
    write_csv(os.path.join(d, "runs.csv"), head, rows)


def run_plot(*args):
    plot.plt.close("all")
    FIGS.clear()
    old = sys.argv
    sys.argv = ["plot"] + [str(a) for a in args]
    try:
        plot.main()
        return 0
    except SystemExit as e:
        return e.code
    finally:
        sys.argv = old


def band_extent(ax):
    """Lowest and highest y of the filled bands of an axis."""
    ys = []
    for c in ax.collections:
        for p in c.get_paths():
            ys += [v[1] for v in p.vertices]
    return min(ys), max(ys)


class PlotTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.d = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def test_bands_clipped_to_the_metric_range(self):
        # a fill rate near 1 with a wide spread: the unclipped 95% band of the mean passes 1
        # (three replicates, t = 4.303); a cost never negative; a signed error left alone
        vals = [1.0, 1.0, 0.7]
        err = [-0.5, 0.4, 0.1]

        def rows(i):
            return (["step", "fill_rate", "cost", "error"],
                    [[s, vals[i] if s else 1.0, 0.1 * i, err[i]] for s in range(4)])
        sweep(self.d, ["n"], [([10], r, 100 + r, {"fill_rate": vals[r]}) for r in range(3)], rows)
        self.assertEqual(run_plot(self.d, "--out", self.d + "/p"), 0)
        lo, hi = band_extent(FIGS["steps_fill_rate.png"].axes[0])
        self.assertLessEqual(hi, 1.0)
        m, h, _ = plot.mean_ci(vals)
        self.assertGreater(m + h, 1.0)          # so the clipping did something
        self.assertAlmostEqual(lo, m - h, places=9)
        lo, _ = band_extent(FIGS["steps_cost.png"].axes[0])
        self.assertGreaterEqual(lo, 0.0)
        m, h, _ = plot.mean_ci([0.0, 0.1, 0.2])
        self.assertLess(m - h, 0.0)
        lo, hi = band_extent(FIGS["steps_error.png"].axes[0])
        m, h, _ = plot.mean_ci(err)
        self.assertAlmostEqual(lo, m - h, places=9)
        self.assertAlmostEqual(hi, m + h, places=9)
        # --range sets the range of a metric the names do not tell
        self.assertEqual(run_plot(self.d, "--out", self.d + "/p", "--range", "error=-0.2:0.3"), 0)
        lo, hi = band_extent(FIGS["steps_error.png"].axes[0])
        self.assertGreaterEqual(lo, -0.2)
        self.assertLessEqual(hi, 0.3)
        self.assertEqual(run_plot(self.d, "--range", "error=1:0"), 2)

    def test_integer_parameters_get_integer_ticks(self):
        def rows(i):
            return ["step", "score"], [[s, s * (i + 1)] for s in range(3)]
        pts = [([n, 0.5 * n], r, r, {"score": n * 1.5 + r}) for n in (2, 3, 7) for r in range(2)]
        sweep(self.d, ["agents", "ratio"], pts, rows)
        self.assertEqual(run_plot(self.d, "--out", self.d + "/p", "--x", "agents"), 0)
        ticks = list(FIGS["final_score.png"].axes[0].get_xticks())
        self.assertEqual(ticks, [2, 3, 7])
        self.assertEqual(run_plot(self.d, "--out", self.d + "/p", "--x", "ratio"), 0)
        ticks = list(FIGS["final_score.png"].axes[0].get_xticks())
        self.assertTrue(any(t != int(t) for t in ticks), ticks)
        # steps are integers too: no tick between two steps
        for t in FIGS["steps_score.png"].axes[0].get_xticks():
            self.assertEqual(t, int(t))

    def test_days_instead_of_steps(self):
        write_csv(os.path.join(self.d, "metrics.csv"), ["step", "stock"],
                  [[s, 100 - s] for s in range(0, 49)])
        self.assertEqual(run_plot(self.d, "--out", self.d + "/p", "--days", 24), 0)
        ax = FIGS["metrics.png"].axes[0]
        self.assertEqual(ax.get_xlabel(), "day")
        xs = ax.lines[0].get_xdata()
        self.assertAlmostEqual(max(xs), 2.0)
        self.assertAlmostEqual(xs[12], 0.5)
        self.assertEqual(run_plot(self.d, "--out", self.d + "/p"), 0)
        self.assertEqual(FIGS["metrics.png"].axes[0].get_xlabel(), "step")
        self.assertEqual(run_plot(self.d, "--days", "0"), 2)

    def test_strategies_as_parameter_values_paired_by_replicate(self):
        # planner b is a + 1 on every replicate, although the replicates differ a lot: the paired
        # difference is exactly 1 with no spread
        base = [3.0, 10.0, 25.0, 7.0]
        pts = []
        for planner in ("a", "b"):
            for r in range(4):
                v = base[r] + (1.0 if planner == "b" else 0.0)
                pts.append(([planner], r, 50 + r, {"cost": v}))

        def rows(i):
            return ["step", "cost"], [[s, pts[i][3]["cost"] * s / 5] for s in range(6)]
        sweep(self.d, ["planner"], pts, rows)
        self.assertEqual(run_plot(self.d, "--out", self.d + "/p", "--strategies", "a,b",
                                  "--days", 1), 0)
        fig = FIGS["compare_cost.png"]
        steps_ax, pair_ax = fig.axes
        self.assertEqual(steps_ax.get_xlabel(), "day")
        labels = [ln.get_label() for ln in steps_ax.lines]
        self.assertEqual(labels, ["a (n=4)", "b (n=4)"])
        pairs = [ln.get_ydata() for ln in pair_ax.lines]
        self.assertEqual(len(pairs), 4)
        for y in pairs:
            self.assertAlmostEqual(y[1] - y[0], 1.0)
        self.assertEqual(sorted(y[0] for y in pairs), sorted(base))
        self.assertIn("b - a: +1 +/- 0 (4 pairs)", pair_ax.get_xlabel())

    def test_strategies_as_metric_prefixes(self):
        # both strategies in every run (same random numbers): pairs are the runs themselves
        pts = [([5], r, r, {"x_cost": 10.0 + r, "y_cost": 12.0 + r}) for r in range(3)]

        def rows(i):
            return (["step", "x_cost", "y_cost"],
                    [[s, (10.0 + i) * s / 3, (12.0 + i) * s / 3] for s in range(4)])
        sweep(self.d, ["n"], pts, rows)
        self.assertEqual(run_plot(self.d, "--out", self.d + "/p", "--strategies", "x,y"), 0)
        steps_ax, pair_ax = FIGS["compare_cost.png"].axes
        self.assertEqual([ln.get_label() for ln in steps_ax.lines], ["x (n=3)", "y (n=3)"])
        self.assertEqual(len(pair_ax.lines), 3)
        self.assertIn("y - x: +2 +/- 0 (3 pairs)", pair_ax.get_xlabel())
        # one run: the strategies over steps only
        run = os.path.join(self.d, "runs", "0001")
        self.assertEqual(run_plot(run, "--out", self.d + "/q", "--strategies", "x,y"), 0)
        self.assertEqual(len(FIGS["compare_cost.png"].axes), 1)
        self.assertEqual(run_plot(run, "--strategies", "x,zz"), 2)
        self.assertEqual(run_plot(run, "--strategies", "x"), 2)


if __name__ == "__main__":
    prog = unittest.main(exit=False, verbosity=1)
    r = prog.result
    failed = len(r.failures) + len(r.errors)
    print("%d passed, %d failed" % (r.testsRun - failed, failed))
    sys.exit(1 if failed else 0)
