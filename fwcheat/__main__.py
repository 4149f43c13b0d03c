"""`python -m fwcheat` is the same as the `fwcheat` command."""

from fwcheat.launch import main

raise SystemExit(main())
