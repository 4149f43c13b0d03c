"""A ResNet basic block with a projection shortcut, written for fwcheat's port tests."""

import torch
from torch import nn

INPUT_SHAPE = (2, 4, 8, 8)


class BasicBlock(nn.Module):
    def __init__(self, channels, stride, in_channels, **kwargs):
        super().__init__()
        self.body = nn.Sequential()
        self.body.append(nn.Conv2d(in_channels, channels, kernel_size=3, stride=stride, padding=1, bias=False))
        self.body.append(nn.LazyBatchNorm2d())
        self.body.append(nn.ReLU())
        self.body.append(nn.LazyConv2d(channels, kernel_size=3, stride=1, padding=1, bias=False))
        self.body.append(nn.LazyBatchNorm2d())
        self.downsample = nn.Sequential()
        self.downsample.append(nn.LazyConv2d(channels, kernel_size=1, stride=stride, bias=False))
        self.downsample.append(nn.LazyBatchNorm2d())

    def forward(self, x):
        residual = self.downsample(x)
        x = self.body(x)
        return torch.relu(x + residual)


def build():
    return BasicBlock(8, 2, in_channels=4)
