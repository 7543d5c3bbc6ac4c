"""Action markers: the grammar (``markers``), the stream filter, the calculator, the
guards against a weak model's misfires, and the handler that runs actions."""
