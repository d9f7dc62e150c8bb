//! The `meshsim` command line: raw flags (clap) are turned into validated options, then the
//! library does the work. One module per group of subcommands. Exit codes: 0 success, 1 I/O or
//! internal error, 2 bad input (nothing is written), 3 a run limit was hit (results written,
//! marked partial).

mod run_cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Deterministic simulator of microservice failure anatomy and resilience patterns.
#[derive(Parser)]
#[command(name = "meshsim", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario (a TOML file or a builtin name) and print its summary and anatomy.
    Run(run_cmd::RunArgs),
    /// Check a scenario file without running it.
    Validate {
        /// The scenario file.
        file: String,
        /// Overrides to check too, `path=value`.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
    },
    /// List the builtin scenarios.
    List,
    /// Print a builtin scenario's TOML, to copy and edit.
    Show {
        /// Builtin name.
        name: String,
    },
}

/// An error that is the user's input: printed as is, exit code 2.
pub struct BadInput(pub String);

/// What a subcommand returns: an exit code, bad input (exit 2), or an internal error (exit 1).
pub type Outcome = anyhow::Result<Result<ExitCode, BadInput>>;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result: Outcome = match cli.command {
        Command::Run(args) => run_cmd::run(args),
        Command::Validate { file, set } => Ok(run_cmd::validate(&file, &set).map(|()| ExitCode::SUCCESS)),
        Command::List => run_cmd::list(),
        Command::Show { name } => run_cmd::show(&name),
    };
    match result {
        Ok(Ok(code)) => code,
        Ok(Err(BadInput(message))) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("meshsim: {e:#}");
            ExitCode::from(1)
        }
    }
}
