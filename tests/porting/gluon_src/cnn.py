"""A small CNN with BatchNorm and pooling, written for fwcheat's port tests."""

import mxnet as mx
from mxnet.gluon import nn

INPUT_SHAPE = (2, 3, 16, 16)


class SmallCNN(mx.gluon.HybridBlock):
    def __init__(self, classes=10, **kwargs):
        super(SmallCNN, self).__init__(**kwargs)
        with self.name_scope():
            self.conv1 = nn.Conv2D(channels=8, kernel_size=3, padding=1)
            self.bn1 = nn.BatchNorm(momentum=0.9, epsilon=1e-3)
            self.pool = nn.MaxPool2D(pool_size=2, strides=2)
            self.conv2 = nn.Conv2D(16, kernel_size=3, strides=1, padding=1, activation="relu")
            self.gap = nn.GlobalAvgPool2D()
            self.out = nn.Dense(classes)

    def hybrid_forward(self, F, x):
        x = self.pool(F.relu(self.bn1(self.conv1(x))))
        x = self.gap(self.conv2(x))
        return self.out(F.flatten(x))


def build():
    return SmallCNN(classes=5)
