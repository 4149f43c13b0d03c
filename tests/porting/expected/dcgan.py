"""DCGAN-style generator and discriminator, written for fwcheat's port tests."""

import torch
from torch import nn

NZ, NGF, NDF = 8, 4, 4
INPUT_SHAPE = (2, NZ, 1, 1)


def generator():
    netG = nn.Sequential()
    netG.append(nn.LazyConvTranspose2d(NGF * 4, kernel_size=4, stride=1, padding=0, bias=False))
    netG.append(nn.LazyBatchNorm2d())
    netG.append(nn.ReLU())
    netG.append(nn.LazyConvTranspose2d(NGF * 2, kernel_size=4, stride=2, padding=1, bias=False))
    netG.append(nn.LazyBatchNorm2d())
    netG.append(nn.ReLU())
    netG.append(nn.LazyConvTranspose2d(3, kernel_size=4, stride=2, padding=1, bias=False))
    netG.append(nn.Tanh())
    return netG


def discriminator():
    netD = nn.Sequential()
    netD.append(nn.LazyConv2d(NDF, kernel_size=4, stride=2, padding=1, bias=False))
    netD.append(nn.LeakyReLU(0.2))
    netD.append(nn.LazyConv2d(NDF * 2, kernel_size=4, stride=2, padding=1, bias=False))
    netD.append(nn.LazyBatchNorm2d())
    netD.append(nn.LeakyReLU(0.2))
    netD.append(nn.LazyConv2d(1, kernel_size=4, stride=1, padding=0, bias=False))
    return netD


class GAN(nn.Module):
    """Both nets in one block, so one input checks both: noise -> image -> score."""

    def __init__(self):
        super(GAN, self).__init__()
        self.netG = generator()
        self.netD = discriminator()

    def forward(self, z):
        return self.netD(self.netG(z)).flatten(1)


def build():
    return GAN()
