"""Hand-written PyTorch twins of tests/porting/gluon_models.py, and faulty ones.

Imported only inside the PyTorch kernel (by path, as `fwcheat check --pytorch` does).
"""

from __future__ import annotations

import torch
from torch import nn


def mlp() -> nn.Module:
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(18, 32),
        nn.ReLU(),
        nn.Linear(32, 16),
        nn.ReLU(),
        nn.Dropout(0.5),
        nn.Linear(16, 5),
    )


def mlp_no_flatten() -> nn.Module:
    """Fault: Gluon's Dense flattens its input (flatten=True); this twin forgot."""
    return nn.Sequential(
        nn.Linear(18, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 5)
    )


class CNN(nn.Module):
    def __init__(self, eps: float = 1e-3, relu_first: bool = False) -> None:
        super().__init__()
        self.relu_first = relu_first
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8, eps=eps)
        self.conv2 = nn.Conv2d(8, 16, 3)
        self.bn2 = nn.BatchNorm2d(16, eps=eps)
        self.fc = nn.Linear(16, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv1(x)
        x = self.bn1(torch.relu(x)) if self.relu_first else torch.relu(self.bn1(x))
        x = nn.functional.max_pool2d(x, 2)
        x = torch.relu(self.bn2(self.conv2(x)))
        return self.fc(x.mean(dim=(2, 3)))


def cnn() -> nn.Module:
    return CNN()


def cnn_default_eps() -> nn.Module:
    """Fault: BatchNorm2d's eps left at 1e-5 while the Gluon model says 1e-3."""
    return CNN(eps=1e-5)


def cnn_swapped() -> nn.Module:
    """Fault: ReLU and BatchNorm swapped in the first block."""
    return CNN(relu_first=True)


def symbol_twin() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4, eps=1e-3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 4 * 4, 3)
    )


class RNNNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.lstm = nn.LSTM(4, 6, num_layers=2, bidirectional=True)
        self.gru = nn.GRU(12, 5)
        self.out = nn.Linear(5, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(self.gru(self.lstm(x)[0])[0])


def lstm() -> nn.Module:
    return RNNNet()


class BasicBlock(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = (
            nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
            if stride != 1 or cin != cout
            else None
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
        return torch.relu(out + (x if self.downsample is None else self.downsample(x)))


class ResNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.layer1 = BasicBlock(8, 8, 1)
        self.layer2 = BasicBlock(8, 16, 2)
        self.fc = nn.Linear(16, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.layer2(self.layer1(torch.relu(self.bn1(self.conv1(x)))))
        return self.fc(x.mean(dim=(2, 3)))


def resnet() -> nn.Module:
    return ResNet()


def gan() -> nn.Module:
    return nn.Sequential(
        nn.ConvTranspose2d(10, 16, 4, 1, 0, bias=False),
        nn.BatchNorm2d(16),
        nn.ReLU(),
        nn.ConvTranspose2d(16, 8, 4, 2, 1, bias=False),
        nn.BatchNorm2d(8),
        nn.ReLU(),
        nn.ConvTranspose2d(8, 3, 4, 2, 1, bias=False),
        nn.Tanh(),
    )


def raises() -> nn.Module:
    raise RuntimeError("this factory is broken on purpose")


def wrong_shape() -> nn.Module:
    return nn.Sequential(nn.Flatten(), nn.Linear(18, 31), nn.ReLU(), nn.Linear(31, 16), nn.Linear(16, 5))
