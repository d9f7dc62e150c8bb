//! experiments: scenarios, the builtin catalog, sweeps and outputs.
