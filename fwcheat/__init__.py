"""fwcheat: a terminal cheat-sheet for PyTorch <-> MXNet/Gluon idioms.

The package root stays tiny on purpose: `fwcheat search` must start fast, so
nothing heavy (torch, mxnet, textual, jupyter) is imported here.
"""

__version__ = "0.1.0"
