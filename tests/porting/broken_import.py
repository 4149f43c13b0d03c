"""A target module that fails to import (for the bad-input tests)."""

import no_such_module_for_fwcheat_tests  # noqa: F401


def model() -> None:
    return None
