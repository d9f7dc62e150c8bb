//! `meshsim report` in a real browser: Debian's chromium renders the cascade's page headless at
//! 1920 px wide (a projector's width) to a PNG, which must not be blank and must show the
//! timeline's colours, and dumps the DOM, which must hold every section and heading; at 1280 px
//! the summary's tables must fit without scrolling sideways. The comparison page of
//! `meshsim compare cascade cascade-protected --out DIR` (`meshsim report DIR`) renders too, with
//! both timelines side by side, the diff table and both anatomies.
//!
//! The browser is `$MESHSIM_CHROMIUM`, `/usr/bin/chromium`, or `chromium` / `chromium-browser`
//! on the `PATH`. Without one the test is skipped with a message, except under `CI=true`, where
//! a missing browser is a failure (`.ci/run` installs it).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

mod common;
use common::{HEADINGS, MESHSIM, scratch, stderr};

/// Hang guard: a chromium that has not exited after this long is killed and the test fails.
const CHROMIUM_TIMEOUT: Duration = Duration::from_secs(120);
/// Viewport: 1920 px wide like a projector; tall enough that the whole page (about 9,500 px
/// for the cascade), and so the timeline, is in one screenshot. Only the width affects layout.
const WINDOW: &str = "1920,16000";

fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("MESHSIM_CHROMIUM").filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        assert!(p.is_file(), "MESHSIM_CHROMIUM={} is not a file", p.display());
        return Some(p);
    }
    let debian = PathBuf::from("/usr/bin/chromium");
    if debian.is_file() {
        return Some(debian);
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Runs chromium headless on `page` with `extra` arguments, stdout and stderr into files in
/// `dir`; returns stdout. Kills it and fails if it hangs.
fn chromium(browser: &Path, dir: &Path, tag: &str, page: &Path, extra: &[String]) -> String {
    chromium_at(WINDOW, browser, dir, tag, page, extra)
}

/// [`chromium`] with the window `window` ("WIDTH,HEIGHT").
fn chromium_at(window: &str, browser: &Path, dir: &Path, tag: &str, page: &Path, extra: &[String]) -> String {
    let profile = dir.join(format!("profile-{tag}"));
    std::fs::create_dir_all(&profile).unwrap();
    let stdout_path = dir.join(format!("{tag}.stdout"));
    let stderr_path = dir.join(format!("{tag}.stderr"));
    let mut cmd = Command::new(browser);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
        "--hide-scrollbars",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .arg(format!("--window-size={window}"))
    .args(extra)
    .arg(format!("file://{}", page.display()))
    .stdin(Stdio::null())
    .stdout(File::create(&stdout_path).unwrap())
    .stderr(File::create(&stderr_path).unwrap());
    let mut child = cmd.spawn().expect("chromium starts");
    let step = Duration::from_millis(100);
    let mut waited = Duration::ZERO;
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for chromium") {
            break status;
        }
        if waited >= CHROMIUM_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "chromium ({tag}) did not exit within {CHROMIUM_TIMEOUT:?}; killed. stderr: {}",
                stderr_path.display()
            );
        }
        std::thread::sleep(step);
        waited += step;
    };
    let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
    assert!(status.success(), "chromium ({tag}) failed: {status}\n{stderr}");
    std::fs::read_to_string(&stdout_path).unwrap()
}

/// An RGB image.
struct Rgb {
    width: usize,
    height: usize,
    pixels: Vec<[u8; 3]>,
}

fn decode(path: &Path) -> Rgb {
    let file = std::io::BufReader::new(File::open(path).expect("screenshot written"));
    let mut decoder = png::Decoder::new_with_limits(file, png::Limits { bytes: 1 << 30 });
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().expect("screenshot is a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("size fits")];
    let info = reader.next_frame(&mut buf).expect("screenshot decodes");
    let channels = match info.color_type {
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        png::ColorType::Indexed => panic!("indexed colour after normalisation"),
    };
    let pixels = buf[..info.buffer_size()]
        .chunks(channels)
        .map(|c| match channels {
            1 | 2 => [c[0], c[0], c[0]],
            _ => [c[0], c[1], c[2]],
        })
        .collect();
    Rgb {
        width: info.width as usize,
        height: info.height as usize,
        pixels,
    }
}

fn rgb(hex: &str) -> [u8; 3] {
    let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).expect("#rrggbb");
    [(v >> 16) as u8, (v >> 8) as u8, v as u8]
}

/// Pixels within ±2 per channel of `c` (antialiasing).
fn count(img: &Rgb, c: [u8; 3]) -> usize {
    img.pixels
        .iter()
        .filter(|p| (0..3).all(|i| p[i].abs_diff(c[i]) <= 2))
        .count()
}

/// The browser, or `None` to skip (a failure under `CI=true`).
fn browser_or_skip() -> Option<PathBuf> {
    let found = find_chromium();
    if found.is_none() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!(
                "chromium not found, and CI=true: the browser test must run in CI. Install Debian's \
                 chromium (`apt-get install -y chromium`, as .ci/run does) or set MESHSIM_CHROMIUM \
                 to a Chromium binary."
            );
        }
        eprintln!("skipping: chromium not found (install Debian's chromium or set MESHSIM_CHROMIUM)");
    }
    found
}

/// The summary's tables fit a 1280 px window (with a scrollbar) without scrolling sideways, even with the
/// protected cascade's long client edge `uploaders→upload (uploaders-default)`: a script added
/// to a copy of the page lists every summary table wider than its box.
#[test]
fn the_summary_tables_fit_a_1280_px_window() {
    let Some(browser) = browser_or_skip() else {
        return;
    };
    let dir = scratch("narrow");
    let page = dir.join("report.html");
    let o = Command::new(MESHSIM)
        .args(["report", "cascade-protected", "-o"])
        .arg(&page)
        .output()
        .expect("meshsim runs");
    assert!(o.status.success(), "{}", stderr(&o));
    let probe = "<script>const over = [...document.querySelectorAll('#summary .table-wrap')]\
        .filter(w => w.scrollWidth > w.clientWidth)\
        .map(w => w.firstElementChild.className + ' ' + w.scrollWidth + '>' + w.clientWidth);\
        const p = document.createElement('pre'); p.id = 'overflow';\
        p.textContent = 'tables ' + document.querySelectorAll('#summary .table-wrap').length + ' overflow [' + over.join('; ') + ']';\
        document.body.appendChild(p);</script></body>";
    let html = std::fs::read_to_string(&page).unwrap().replace("</body>", probe);
    let probed = dir.join("probed.html");
    std::fs::write(&probed, html).unwrap();
    // 1280 px less a classic 15 px scrollbar: the tests hide scrollbars, a reader's window has one.
    let dom = chromium_at(
        "1265,2000",
        &browser,
        &dir,
        "narrow",
        &probed,
        &["--dump-dom".to_string()],
    );
    assert!(
        dom.contains("tables 4 overflow []"),
        "{}",
        &dom[dom.find("id=\"overflow\"").unwrap_or(0)..]
    );
}

#[test]
fn the_report_renders_in_chromium() {
    let Some(browser) = find_chromium() else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!(
                "chromium not found, and CI=true: the browser test must run in CI. Install Debian's \
                 chromium (`apt-get install -y chromium`, as .ci/run does) or set MESHSIM_CHROMIUM \
                 to a Chromium binary."
            );
        }
        eprintln!("skipping: chromium not found (install Debian's chromium or set MESHSIM_CHROMIUM)");
        return;
    };
    let dir = scratch("cascade");
    let page = dir.join("report.html");
    let o = Command::new(MESHSIM)
        .args(["report", "cascade", "-o"])
        .arg(&page)
        .output()
        .expect("meshsim runs");
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(&page).unwrap();

    // The screenshot.
    let shot = dir.join("report.png");
    chromium(
        &browser,
        &dir,
        "screenshot",
        &page,
        &[format!("--screenshot={}", shot.display())],
    );
    let img = decode(&shot);
    assert_eq!(img.width, 1920, "rendered at a projector's width");
    let bottom = &img.pixels[(img.height - 20) * img.width..];
    assert!(
        bottom.iter().all(|p| *p == [255, 255, 255]),
        "the page is taller than the {WINDOW} window: raise WINDOW so the screenshot holds all of it"
    );
    let mut distinct: Vec<u32> = img
        .pixels
        .iter()
        .map(|p| u32::from(p[0]) << 16 | u32::from(p[1]) << 8 | u32::from(p[2]))
        .collect();
    distinct.sort_unstable();
    distinct.dedup();
    assert!(
        distinct.len() > 500,
        "the screenshot looks blank: {} distinct colours",
        distinct.len()
    );
    let white = count(&img, [255, 255, 255]);
    assert!(
        white < img.pixels.len() * 97 / 100 && white > img.pixels.len() / 10,
        "not a white page with content on it: {white} of {} pixels white",
        img.pixels.len()
    );
    // The timeline's colours: its first two line series (offered load and attempts, busy slots
    // and queued), the ok layer of the outcomes, and the pod bands (ready, killed).
    let timeline_colours = [
        ("series 0", plots::series_colour(0)),
        ("series 1", plots::series_colour(1)),
        ("ok layer", plots::layer_colour(0)),
        ("ready band", plots::tone_colour(plots::Tone::Good)),
        ("killed band", plots::tone_colour(plots::Tone::Bad)),
    ];
    for (what, hex) in &timeline_colours {
        let n = count(&img, rgb(hex));
        assert!(n >= 1000, "{what} ({hex}): only {n} pixels in the screenshot");
    }
    // Series 1 (orange) is not used by the page's own styles, so its pixels are the timeline's.
    let orange = plots::series_colour(1);
    let outside_svg = html.replace(
        &html[html.find("<svg").unwrap()..html.rfind("</svg>").unwrap()],
        "",
    );
    assert!(
        !outside_svg.to_ascii_lowercase().contains(&orange),
        "{orange} is used outside the charts"
    );

    // The DOM, as the browser parsed it.
    let dom = chromium(&browser, &dir, "dom", &page, &["--dump-dom".to_string()]);
    for (id, heading) in HEADINGS {
        assert!(
            dom.contains(&format!("id=\"{id}\"")),
            "section {id} missing from the DOM"
        );
        let h = format!("id=\"{id}-h\">{heading}</h");
        assert!(
            dom.contains(&h),
            "heading `{heading}` of {id} missing from the DOM"
        );
    }
    let timeline = &dom[dom.find("id=\"timeline\"").unwrap()..];
    assert!(
        timeline.contains("<svg"),
        "the timeline is an inline SVG in the DOM"
    );
    assert!(
        dom.matches("<table").count() >= 8,
        "parameter, summary and anatomy tables"
    );
    eprintln!("screenshot: {}", shot.display());
}

#[test]
fn the_comparison_page_renders_in_chromium() {
    let Some(browser) = browser_or_skip() else {
        return;
    };
    let dir = scratch("compare-page");
    let out = dir.join("cmp");
    let o = Command::new(MESHSIM)
        .args(["compare", "cascade", "cascade-protected", "--out"])
        .arg(&out)
        .output()
        .expect("meshsim runs");
    assert!(o.status.success(), "{}", stderr(&o));
    let page = dir.join("compare.html");
    let o = Command::new(MESHSIM)
        .arg("report")
        .arg(&out)
        .arg("-o")
        .arg(&page)
        .output()
        .expect("meshsim runs");
    assert!(o.status.success(), "{}", stderr(&o));

    let shot = dir.join("compare.png");
    chromium(
        &browser,
        &dir,
        "screenshot",
        &page,
        &[format!("--screenshot={}", shot.display())],
    );
    let img = decode(&shot);
    assert_eq!(img.width, 1920, "rendered at a projector's width");
    // Both columns' pod bands (ready) and A's killed pods, the outcomes' ok layer and B's
    // degraded layer, and B's breaker bands (open).
    let colours = [
        ("ok layer", plots::layer_colour(0)),
        ("degraded layer", plots::layer_colour(1)),
        ("ready band", plots::tone_colour(plots::Tone::Good)),
        ("killed band / open breaker", plots::tone_colour(plots::Tone::Bad)),
    ];
    for (what, hex) in &colours {
        let n = count(&img, rgb(hex));
        assert!(n >= 1000, "{what} ({hex}): only {n} pixels in the screenshot");
    }

    let dom = chromium(&browser, &dir, "dom", &page, &["--dump-dom".to_string()]);
    for (id, heading) in experiments::report_html::compare::SECTIONS {
        assert!(
            dom.contains(&format!("id=\"{id}\"")),
            "section {id} missing from the DOM"
        );
        if *id != "overview" {
            let h = format!("id=\"{id}-h\">{heading}</h");
            assert!(
                dom.contains(&h),
                "heading `{heading}` of {id} missing from the DOM"
            );
        }
    }
    assert!(
        dom.contains("cascade vs cascade-protected"),
        "the title names both runs"
    );
    let timeline = &dom[dom.find("id=\"timeline\"").unwrap()..dom.find("id=\"diff\"").unwrap()];
    assert!(
        timeline.contains("<svg"),
        "the side-by-side timeline is an inline SVG"
    );
    assert!(timeline.contains("A: cascade") && timeline.contains("B: cascade-protected"));
    let diff = &dom[dom.find("id=\"diff\"").unwrap()..];
    assert!(
        diff.contains("goodput/s") && diff.contains("B−A"),
        "the diff table"
    );
    assert!(
        dom.matches("<table").count() >= 3,
        "the diff table and both anatomies"
    );
    eprintln!("screenshot: {}", shot.display());
}
