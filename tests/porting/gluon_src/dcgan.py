"""DCGAN-style generator and discriminator, written for fwcheat's port tests."""

import mxnet as mx
from mxnet import gluon
from mxnet.gluon import nn

NZ, NGF, NDF = 8, 4, 4
INPUT_SHAPE = (2, NZ, 1, 1)


def generator():
    netG = nn.Sequential()
    with netG.name_scope():
        netG.add(nn.Conv2DTranspose(NGF * 4, 4, 1, 0, use_bias=False))
        netG.add(nn.BatchNorm())
        netG.add(nn.Activation("relu"))
        netG.add(nn.Conv2DTranspose(NGF * 2, 4, 2, 1, use_bias=False))
        netG.add(nn.BatchNorm())
        netG.add(nn.Activation("relu"))
        netG.add(nn.Conv2DTranspose(3, 4, 2, 1, use_bias=False))
        netG.add(nn.Activation("tanh"))
    return netG


def discriminator():
    netD = nn.Sequential()
    with netD.name_scope():
        netD.add(nn.Conv2D(NDF, 4, 2, 1, use_bias=False))
        netD.add(nn.LeakyReLU(0.2))
        netD.add(nn.Conv2D(NDF * 2, 4, 2, 1, use_bias=False))
        netD.add(nn.BatchNorm())
        netD.add(nn.LeakyReLU(0.2))
        netD.add(nn.Conv2D(1, 4, 1, 0, use_bias=False))
    return netD


class GAN(gluon.Block):
    """Both nets in one block, so one input checks both: noise -> image -> score."""

    def __init__(self):
        super(GAN, self).__init__()
        self.netG = generator()
        self.netD = discriminator()

    def forward(self, z):
        return self.netD(self.netG(z)).reshape((0, -1))


def build():
    return GAN()
