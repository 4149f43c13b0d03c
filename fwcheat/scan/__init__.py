"""`fwcheat scan`: read a user's code for one framework's API and say what to read to port it.

- :mod:`.profiles`: what each framework's API looks like in code;
- :mod:`.uses`: the ast scanner (import aliases, ``F`` in ``hybrid_forward``, methods, keywords);
- :mod:`.sources`: files, folders (``.gitignore``), notebooks and the files that cannot be read;
- :mod:`.report`: findings mapped through :mod:`fwcheat.apimap`, and the summary;
- :mod:`.formats`: terminal text, JSON, Markdown and SARIF.

Headless: never imports a framework, Textual or Jupyter.
"""
