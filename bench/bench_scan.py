"""How fast is `fwcheat scan`? Lines per second, and the ratio to bare `ast.parse`.

A Gluon tree of about 100,000 lines (models with `hybrid_forward`, training
loops, data code, plain Python) is generated in a temporary folder. Measured in
the same run, each the median of several passes, in CPU seconds:

1. bare: read every file and `ast.parse` it (the floor any ast-based scanner pays);
2. scan: `Scanner.scan_paths` on the tree (walk, read, parse, find uses, map them);
3. cli: `fwcheat scan --json TREE` in a new process, for information (start-up and output included).

Targets: scan >= 50,000 lines/s; scan / bare <= 2.

    python bench/bench_scan.py [--lines N] [--runs N]
"""

from __future__ import annotations

import argparse
import ast
import gc
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import time_command, verdict

MODULE = '''\
"""Generated Gluon module {i}."""
import math
import numpy as np
import mxnet as mx
from mxnet import nd, gluon, autograd as ag
from mxnet.gluon import nn, rnn


class Block{i}(gluon.HybridBlock):
    def __init__(self, channels={c}, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.conv = nn.Conv2D(channels, 3, strides=2, padding=1, use_bias=False)
            self.bn = nn.BatchNorm(momentum=0.9)
            self.act = nn.Activation("relu")
            self.pool = nn.GlobalAvgPool2D()
            self.out = nn.Dense(10, flatten=True, activation="relu")

    def hybrid_forward(self, F, x):
        y = self.act(self.bn(self.conv(x)))
        y = F.concat(y, F.zeros_like(y), dim=1)
        return self.out(self.pool(F.relu(y)))


def make_data_{i}(n, ctx):
    features = np.random.uniform(size=(n, 3, 8, 8)).astype("float32")
    labels = np.arange(n) % 10
    dataset = gluon.data.ArrayDataset(nd.array(features, ctx=ctx), nd.array(labels, ctx=ctx))
    return gluon.data.DataLoader(dataset, batch_size=16, shuffle=True)


def train_{i}(epochs=2, ctx=mx.cpu()):
    net = Block{i}()
    net.initialize(mx.init.Xavier(), ctx=ctx)
    net.hybridize()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {{"learning_rate": 0.1, "wd": 1e-4}})
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    metric = mx.metric.Accuracy()
    history = []
    for epoch in range(epochs):
        total = 0.0
        for data, label in make_data_{i}(64, ctx):
            data = data.as_in_context(ctx)
            with ag.record():
                output = net(data)
                loss = loss_fn(output, label)
            loss.backward()
            trainer.step(data.shape[0])
            metric.update([label], [output])
            total += loss.mean().asscalar()
        name, acc = metric.get()
        history.append((epoch, total / 4, acc, math.sqrt(epoch + 1)))
    probs = nd.softmax(net(nd.ones((1, 3, 8, 8), ctx=ctx)), axis=-1).asnumpy()
    return history, probs.sum(axis=1)


def summarise_{i}(history):
    rows = []
    for epoch, loss, acc, scale in history:
        rows.append("epoch %d loss %.3f acc %.3f (%.2f)" % (epoch, loss, acc, scale))
    return "\\n".join(rows)
'''


def generate(root: Path, lines: int) -> tuple[list[Path], int]:
    files: list[Path] = []
    total = 0
    i = 0
    while total < lines:
        folder = root / f"pkg{i // 20}"
        folder.mkdir(exist_ok=True)
        path = folder / f"module_{i}.py"
        text = MODULE.format(i=i, c=8 + i % 24) * 4  # ~290 lines a file
        path.write_text(text, encoding="utf-8")
        files.append(path)
        total += text.count("\n")
        i += 1
    return files, total


def bare_parse(files: list[Path]) -> None:
    for path in files:
        ast.parse(path.read_bytes().decode("utf-8"), filename=str(path))


def cpu_median(fn: object, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.process_time()
        fn()  # type: ignore[operator]
        times.append(time.process_time() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from fwcheat.scan.report import Scanner
    from fwcheat.store import open_store

    scanner = Scanner(open_store().api_map("mxnet", "pytorch"))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        files, lines = generate(root, args.lines)
        report = scanner.scan_paths([str(root)])
        summary = report.summary()
        print(
            f"tree: {len(files)} files, {lines:,} lines; {summary.uses:,} uses, "
            f"{summary.distinct} distinct APIs, {summary.share:.0%} mapped"
        )
        assert not report.problems, report.problems
        bare = cpu_median(lambda: bare_parse(files), args.runs)
        gc.disable()
        bare_nogc = cpu_median(lambda: bare_parse(files), args.runs)
        gc.enable()
        scan = cpu_median(lambda: scanner.scan_paths([str(root)]), args.runs)
        cli_argv = [sys.executable, "-m", "fwcheat", "scan", "--json", str(root)]
        cli = time_command(cli_argv, runs=3, env={"PYTHONPATH": os.pathsep.join(sys.path)})
        rate = lines / scan
        ratio = scan / bare
        print(f"bare ast.parse: {bare:.3f} s CPU  ({lines / bare:,.0f} lines/s)")
        print(
            f"scan:           {scan:.3f} s CPU  ({rate:,.0f} lines/s)  target >= 50,000: "
            f"{'OK' if rate >= 50_000 else 'UNDER TARGET'}"
        )
        print(f"scan / bare:    {ratio:.2f}x  target <= 2: {verdict(ratio, 2.0)}")
        print(
            f"(bare ast.parse with the cycle collector paused, as the scan runs: {bare_nogc:.3f} s; "
            f"scan / that: {scan / bare_nogc:.2f}x)"
        )
        print(
            f"cli `fwcheat scan --json`: {cli.wall:.3f} s wall, {cli.cpu:.3f} s CPU "
            f"({lines / cli.cpu:,.0f} lines/s of CPU, start-up and output included)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
