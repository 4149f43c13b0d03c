"""The Textual interface of fwcheat (`fwcheat` with no arguments, `fwcheat tui`).

Only this package imports Textual. It talks to the headless core (search,
kernels, saving) through workers and past-tense messages; importing it stays
cheap so the first frame comes quickly, and the kernels start after that.
"""
