//! `meshsim serve`: the live exploration page on a local HTTP server (see docs/serve.md).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use experiments::serve::{LIMITS, State, scenario_files, server};

use crate::{BadInput, Outcome};

/// Flags of `meshsim serve`.
#[derive(clap::Args)]
pub struct ServeArgs {
    /// A scenario file, a directory of scenario files (`*.toml`) or a builtin's name: the one the
    /// page opens with (every builtin is offered too). The first builtin when not given.
    pub scenario: Option<String>,
    /// The port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// The address to listen on. The default answers this machine only; another address lets
    /// anyone who can reach it run simulations here.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub bind: IpAddr,
    /// Open the page in the desktop's browser (xdg-open / open).
    #[arg(long)]
    pub open: bool,
}

/// What SCENARIO offers: files, and the name shown first.
fn offered(arg: Option<&str>) -> Result<(Vec<std::path::PathBuf>, Option<String>), BadInput> {
    let Some(arg) = arg else {
        return Ok((Vec::new(), None));
    };
    let path = Path::new(arg);
    if path.is_dir() {
        let files = scenario_files(path).map_err(|e| BadInput(format!("error: cannot list {arg}: {e}")))?;
        if files.is_empty() {
            return Err(BadInput(format!(
                "error: {arg}: no scenario files (*.toml) in this directory"
            )));
        }
        return Ok((files, None));
    }
    if path.is_file() {
        return Ok((vec![path.to_path_buf()], None));
    }
    if experiments::catalog::find(arg).is_some() {
        return Ok((Vec::new(), Some(arg.to_string())));
    }
    Err(BadInput(format!(
        "error: no scenario file, directory or builtin called `{arg}` (builtins: {})",
        experiments::catalog::names().join(", ")
    )))
}

/// Opens `url` in the desktop's browser, saying so if it cannot.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    if let Err(e) = std::process::Command::new(opener)
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        eprintln!("meshsim: --open: cannot start {opener} ({e}); open {url} yourself");
    }
}

pub fn serve(args: ServeArgs) -> Outcome {
    let (files, first) = match offered(args.scenario.as_deref()) {
        Ok(o) => o,
        Err(e) => return Ok(Err(e)),
    };
    let serving = match server::bind(SocketAddr::new(args.bind, args.port)) {
        Ok(s) => s,
        Err(e) => return Ok(Err(BadInput(format!("error: {e}")))),
    };
    let state = Arc::new(State::new(files, first, LIMITS));
    let url = format!("http://{}/", serving.addr);
    outln!("meshsim serve: {url} (Ctrl-C to stop)");
    if !args.bind.is_loopback() {
        eprintln!(
            "meshsim: listening on {}: anyone who can reach this address can run simulations on this machine",
            args.bind
        );
    }
    if args.open {
        open_browser(&url);
    }
    serving.run(state);
    Ok(Ok(ExitCode::SUCCESS))
}
