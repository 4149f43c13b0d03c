"""A training loop with Trainer, loss, metric and DataLoader, written for fwcheat's port tests."""

import numpy as np
import torch
from torch import nn


class Accuracy:
    """What mx.metric.Accuracy computed, as plain code (fwcheat: metric-accuracy)."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.correct, self.count = 0, 0

    def update(self, labels, preds):
        labels = labels if isinstance(labels, (list, tuple)) else [labels]
        preds = preds if isinstance(preds, (list, tuple)) else [preds]
        for label, pred in zip(labels, preds):
            if pred.dim() > label.dim():
                pred = pred.argmax(dim=1)
            self.correct += int((pred.long() == label.long()).sum())
            self.count += label.numel()

    def get(self):
        return "accuracy", self.correct / max(self.count, 1)


INPUT_SHAPE = (8, 6)
ctx = torch.device('cpu')


def build():
    net = nn.Sequential()
    net.extend([nn.Sequential(nn.Flatten(), nn.LazyLinear(16), nn.ReLU()), nn.Sequential(nn.Flatten(), nn.LazyLinear(3))])
    return net


def train(net, X, y, epochs=2, batch_size=4):
    dataset = torch.utils.data.TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32))
    loader = torch.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=False, drop_last=True)
    trainer = torch.optim.SGD(net.parameters(), lr=0.5, momentum=0.9, weight_decay=1e-3)
    loss_fn = lambda pred, label: nn.functional.cross_entropy(pred, label.long(), reduction='none')
    metric = Accuracy()
    for epoch in range(epochs):
        metric.reset()
        total = 0.0
        for data, label in loader:
            data = data.to(ctx)
            label = label.to(ctx)
            trainer.zero_grad()
            output = net(data)
            loss = loss_fn(output, label)
            (loss.sum() / batch_size).backward()
            trainer.step()
            total += loss.mean().item()
            metric.update([label], [output])
        name, acc = metric.get()
        print("epoch %d loss %.4f %s %.2f" % (epoch, total, name, acc))
    torch.save(net.state_dict(), "/tmp/fwcheat-port-train.params")
    return net
