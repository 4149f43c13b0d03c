"""An MLP for MNIST-sized inputs, written for fwcheat's port tests."""

import torch
from torch import nn

INPUT_SHAPE = (4, 1, 28, 28)


def build():
    net = nn.Sequential()
    net.append(nn.Sequential(nn.Flatten(), nn.LazyLinear(64), nn.ReLU()))  # flattens the image first
    net.append(nn.Dropout(p=0.5))
    net.extend([nn.Sequential(nn.Flatten(), nn.LazyLinear(32), nn.Tanh()), nn.Sequential(nn.Flatten(), nn.LazyLinear(10))])
    return net
