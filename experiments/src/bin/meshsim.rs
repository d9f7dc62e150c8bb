//! The `meshsim` command line.

fn main() {}
