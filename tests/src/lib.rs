//! meshsim's integration test crate. The tests live in `tests/tests/`: scenarios in the world,
//! sweeps and the CLI. This library holds what they share.

pub mod build;
