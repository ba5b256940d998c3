"""One module per published case; each composes the shared primitives in the published order."""
