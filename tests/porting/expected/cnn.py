"""A small CNN with BatchNorm and pooling, written for fwcheat's port tests."""

import torch
from torch import nn

INPUT_SHAPE = (2, 3, 16, 16)


class SmallCNN(nn.Module):
    def __init__(self, classes=10, **kwargs):
        super().__init__()
        self.conv1 = nn.LazyConv2d(8, kernel_size=3, padding=1)
        self.bn1 = nn.LazyBatchNorm2d(eps=1e-3, momentum=0.1)
        self.pool = nn.MaxPool2d(kernel_size=2, stride=2)
        self.conv2 = nn.Sequential(nn.LazyConv2d(16, kernel_size=3, stride=1, padding=1), nn.ReLU())
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.out = nn.Sequential(nn.Flatten(), nn.LazyLinear(classes))

    def forward(self, x):
        x = self.pool(torch.relu(self.bn1(self.conv1(x))))
        x = self.gap(self.conv2(x))
        return self.out(torch.flatten(x, 1))


def build():
    return SmallCNN(classes=5)
