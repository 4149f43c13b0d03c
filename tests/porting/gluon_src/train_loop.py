"""A training loop with Trainer, loss, metric and DataLoader, written for fwcheat's port tests."""

import numpy as np
import mxnet as mx
from mxnet import autograd, gluon, nd
from mxnet.gluon import nn

INPUT_SHAPE = (8, 6)
ctx = mx.cpu()


def build():
    net = nn.Sequential()
    net.add(nn.Dense(16, activation="relu"), nn.Dense(3))
    return net


def train(net, X, y, epochs=2, batch_size=4):
    dataset = gluon.data.ArrayDataset(nd.array(X), nd.array(y))
    loader = gluon.data.DataLoader(dataset, batch_size=batch_size, shuffle=False, last_batch="discard")
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.5, "momentum": 0.9, "wd": 1e-3})
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    metric = mx.metric.Accuracy()
    for epoch in range(epochs):
        metric.reset()
        total = 0.0
        for data, label in loader:
            data = data.as_in_context(ctx)
            label = label.as_in_context(ctx)
            with autograd.record():
                output = net(data)
                loss = loss_fn(output, label)
            loss.backward()
            trainer.step(batch_size)
            total += loss.mean().asscalar()
            metric.update([label], [output])
        name, acc = metric.get()
        print("epoch %d loss %.4f %s %.2f" % (epoch, total, name, acc))
    net.save_parameters("/tmp/fwcheat-port-train.params")
    return net
