"""`python -m fwcheat` is the same as the `fwcheat` command."""

from fwcheat.cli import main

raise SystemExit(main())
