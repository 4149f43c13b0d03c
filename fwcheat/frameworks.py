"""The frameworks fwcheat knows, and how each is named to a person.

A module of its own so the search path can use the names without importing
the schema (and msgspec with it).
"""

from __future__ import annotations

#: Frameworks an entry may carry a snippet for, in display order.
FRAMEWORKS = ("pytorch", "mxnet", "tensorflow", "keras")
#: Frameworks fwcheat can execute today.
RUNNABLE_FRAMEWORKS = ("pytorch", "mxnet")
#: How each framework is named to a person.
FRAMEWORK_LABELS = {
    "pytorch": "PyTorch",
    "mxnet": "MXNet/Gluon",
    "tensorflow": "TensorFlow",
    "keras": "Keras",
}
