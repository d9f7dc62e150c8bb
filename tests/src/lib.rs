//! meshsim's end-to-end test crate: the suites that cross crates live in `tests/tests/` (see
//! ARCHITECTURE.md, "Tests"). This library is empty: a cargo package needs a target of its own
//! besides its tests. Unit-level suites live in the crate they test (`sim-core/tests/`,
//! `models/tests/`), and scenarios built in code come from `models::build`.
