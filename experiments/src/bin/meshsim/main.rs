//! The `meshsim` command line: raw flags (clap) are turned into validated options, then the
//! library does the work. One module per group of subcommands. Exit codes: 0 success, 1 I/O or
//! internal error, 2 bad input (nothing is written), 3 a run limit was hit (results written,
//! marked partial).

/// `print!` to stdout, ending the process quietly (exit 0, as ripgrep does) when stdout is a
/// closed pipe (`meshsim run X | head -1`) instead of panicking as `print!` does.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::write_stdout(format_args!($($arg)*))
    };
}

/// `println!` through [`out!`].
macro_rules! outln {
    () => {
        $crate::write_stdout(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::write_stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}

mod compare_cmd;
mod report_cmd;
mod run_cmd;
mod serve_cmd;
mod swarm_cmd;
mod sweep_cmd;

use std::io::IsTerminal as _;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use experiments::text::escape_controls;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

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
    /// Run a scenario and write one self-contained HTML page: description, parameters, summary,
    /// narrated anatomy, timeline (and a sweep's charts with --sweep).
    Report(report_cmd::ReportArgs),
    /// Compare two runs side by side: each a builtin, a scenario file or a run directory; the
    /// timelines on shared axes and a table of the key figures (A, B, B−A, B/A).
    Compare(compare_cmd::CompareArgs),
    /// Run a parameter sweep (see docs/sweeps.md): runs.csv, points.csv with 95% intervals, charts.
    Sweep(sweep_cmd::SweepArgs),
    /// Join the outputs of `meshsim sweep --shard K/N` into the files a single sweep writes.
    Merge(sweep_cmd::MergeArgs),
    /// Swarm testing: run random scenarios from seeds with every invariant checked; a failure
    /// prints `meshsim swarm --seed N` and the smallest failing scenario (docs/reliability.md).
    Swarm(swarm_cmd::SwarmArgs),
    /// Serve a local page to explore a scenario live: a form of its parameters, every change
    /// re-run and redrawn, A/B comparison, the command that reproduces it (docs/serve.md).
    Serve(serve_cmd::ServeArgs),
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

/// `--threads`: at least 1; the number of CPUs when not given.
pub fn threads(n: Option<usize>) -> Result<usize, BadInput> {
    match n {
        Some(0) => Err(BadInput("error: --threads must be at least 1".into())),
        Some(n) => Ok(n),
        None => Ok(std::thread::available_parallelism().map_or(1, |n| n.get())),
    }
}

/// `--seed`: any `u64`, in decimal or in hexadecimal with `0x` (the forms a `seed` key takes).
pub fn seed_arg(text: &str) -> Result<u64, String> {
    experiments::scenario::parse_seed(text)
        .ok_or_else(|| format!("expected {}", experiments::scenario::seed::SEED_EXPECTED))
}

/// A progress bar over `len` items called `unit` (`runs`, `seeds`) on stderr; hidden with
/// `quiet` or when stderr is not a terminal.
pub fn progress_bar(len: u64, unit: &str, quiet: bool) -> ProgressBar {
    let target = if quiet || !std::io::stderr().is_terminal() {
        ProgressDrawTarget::hidden()
    } else {
        ProgressDrawTarget::stderr()
    };
    let bar = ProgressBar::with_draw_target(Some(len), target);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{bar:40}} {{pos}}/{{len}} {unit}  {{elapsed_precise}} elapsed, ~{{eta}} left"
        ))
        .expect("a valid template"),
    );
    bar
}

/// Writes to stdout; a closed pipe ends the process with exit code 0 and no message (the reader
/// has all it wanted: files were written before anything is printed), any other error panics
/// as `print!` would.
fn write_stdout(args: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    match stdout.write_fmt(args).and_then(|()| stdout.flush()) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => panic!("failed printing to stdout: {e}"),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result: Outcome = match cli.command {
        Command::Run(args) => run_cmd::run(args),
        Command::Validate { file, set } => Ok(run_cmd::validate(&file, &set).map(|()| ExitCode::SUCCESS)),
        Command::Report(args) => report_cmd::report(args),
        Command::Compare(args) => compare_cmd::run(args),
        Command::Sweep(args) => sweep_cmd::sweep(args),
        Command::Merge(args) => sweep_cmd::merge(args),
        Command::Swarm(args) => swarm_cmd::swarm(args),
        Command::Serve(args) => serve_cmd::serve(args),
        Command::List => run_cmd::list(),
        Command::Show { name } => run_cmd::show(&name),
    };
    match result {
        Ok(Ok(code)) => code,
        // Messages quote names and file lines: their control characters are escaped.
        Ok(Err(BadInput(message))) => {
            eprintln!("{}", escape_controls(&message));
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("meshsim: {}", escape_controls(&format!("{e:#}")));
            ExitCode::from(1)
        }
    }
}
