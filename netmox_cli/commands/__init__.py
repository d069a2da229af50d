"""One module per CLI command; each is thin: parse → build the view → run the engine → exit code."""
