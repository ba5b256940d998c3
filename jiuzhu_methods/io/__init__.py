"""Pool input and output: the data contract (schema), the DataPool, and loading a pilot's exports (loaders)."""

# loaders installs its reader of export folders into DataPool.read (pool.register_export_reader);
# importing it here makes every import of the pool bring it
from . import loaders  # noqa: E402,F401
