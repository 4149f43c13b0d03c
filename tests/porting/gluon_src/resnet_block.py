"""A ResNet basic block with a projection shortcut, written for fwcheat's port tests."""

from mxnet import gluon
from mxnet.gluon import nn

INPUT_SHAPE = (2, 4, 8, 8)


class BasicBlock(gluon.HybridBlock):
    def __init__(self, channels, stride, in_channels, **kwargs):
        super(BasicBlock, self).__init__(**kwargs)
        self.body = nn.HybridSequential(prefix="")
        self.body.add(nn.Conv2D(channels, kernel_size=3, strides=stride, padding=1, use_bias=False, in_channels=in_channels))
        self.body.add(nn.BatchNorm())
        self.body.add(nn.Activation("relu"))
        self.body.add(nn.Conv2D(channels, kernel_size=3, strides=1, padding=1, use_bias=False))
        self.body.add(nn.BatchNorm())
        self.downsample = nn.HybridSequential(prefix="")
        self.downsample.add(nn.Conv2D(channels, kernel_size=1, strides=stride, use_bias=False))
        self.downsample.add(nn.BatchNorm())

    def hybrid_forward(self, F, x):
        residual = self.downsample(x)
        x = self.body(x)
        return F.Activation(x + residual, act_type="relu")


def build():
    return BasicBlock(8, 2, in_channels=4)
