"""An MLP for MNIST-sized inputs, written for fwcheat's port tests."""

from mxnet import gluon
from mxnet.gluon import nn

INPUT_SHAPE = (4, 1, 28, 28)


def build():
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(nn.Dense(64, activation="relu"))  # flattens the image first
        net.add(nn.Dropout(0.5))
        net.add(nn.Dense(32, activation="tanh"), nn.Dense(10))
    return net
