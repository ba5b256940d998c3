"""Pool input and output: the data contract (schema), the DataPool, and loading a pilot's exports (loaders)."""
