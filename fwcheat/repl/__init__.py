"""`fwcheat repl`: a prompt-toolkit REPL whose code runs in a framework's Jupyter kernel.

The parts are split so most of them can be tested without a terminal:

- :mod:`.blocks` decides when typed code is a complete block (pure);
- :mod:`.commands` parses the ``:search`` / ``:load`` … commands (pure);
- :mod:`.hints` maps API names of one framework to the other's idiom (pure);
- :mod:`.render` draws results, tracebacks and search hits with rich;
- :mod:`.engine` runs code and commands against a :class:`~fwcheat.kernels.session.KernelPool`
  and prints through a rich console; it never imports prompt_toolkit;
- :mod:`.completion` and :mod:`.session` are the prompt-toolkit front end.
"""
