"""fwcheat: a terminal cheat-sheet for idioms across MXNet/Gluon, PyTorch, TensorFlow and Keras.

The package root stays tiny on purpose: `fwcheat search` must start fast, so
nothing heavy (a framework, textual, jupyter) is imported here.
"""

__version__ = "0.1.0"
