"""The module and the CLI give the same results: summaries for every builtin, the output
files of `write(dir)` and `meshsim run --out`, and the files of a sweep."""

import json
import pathlib

import pytest

import meshsim


def sorted_json(value) -> str:
    return json.dumps(value, sort_keys=True)


@pytest.mark.parametrize("name", meshsim.builtins())
def test_summary_equals_the_cli_json_for_every_builtin(cli, name):
    out = cli("run", name, "--json").stdout
    r = meshsim.run(name)
    assert sorted_json(r.summary) == sorted_json(json.loads(out))
    # And the text itself, byte for byte (the CLI prints summary.json's text).
    assert r.summary_json == out


def test_the_builtins_are_the_cli_list(cli):
    listed = [line.split()[0] for line in cli("list").stdout.splitlines()]
    assert meshsim.builtins() == listed
    assert meshsim.show("mmc") == cli("show", "mmc").stdout


def test_seed_duration_and_set_are_the_cli_flags(cli):
    args = ["--seed", "42", "--duration", "90s", "--set", "services.upload.replicas=3"]
    out = cli("run", "cascade", "--json", *args).stdout
    r = meshsim.run("cascade", seed=42, duration="90s", set={"services.upload.replicas": 3})
    assert r.summary_json == out
    # A number of seconds is a duration too, and CLI-style strings are overrides.
    r2 = meshsim.run("cascade", seed=42, duration=90, set=["services.upload.replicas=3"])
    assert r2.summary_json == out


@pytest.mark.parametrize("name", meshsim.builtins())
def test_write_makes_the_files_meshsim_run_out_makes(cli, tmp_path, name):
    cli("run", name, "--quiet", "--out", tmp_path / "cli")
    written = meshsim.run(name).write(tmp_path / "py")
    cli_files = sorted(p.name for p in (tmp_path / "cli").iterdir() if p.name != ".meshsim-run")
    assert sorted(pathlib.Path(p).name for p in written) == cli_files
    for f in cli_files:
        assert (tmp_path / "py" / f).read_bytes() == (tmp_path / "cli" / f).read_bytes(), f
    # The marker too: a later `meshsim run --out` may replace the directory.
    assert (tmp_path / "py" / ".meshsim-run").read_bytes() == (tmp_path / "cli" / ".meshsim-run").read_bytes()


def test_traces_are_the_cli_traces(cli, tmp_path):
    cli("run", "cascade", "--quiet", "--duration", "40s", "--trace", "chrome", "--trace", "otlp", "--out", tmp_path)
    files = meshsim.run("cascade", duration="40s", trace=["chrome", "otlp"]).files()
    for name in ["trace.chrome.json", "trace.otlp.json"]:
        assert files[name] == (tmp_path / name).read_bytes(), name


def test_a_directory_of_other_files_is_refused_like_the_cli(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="not the output of an earlier `meshsim run`"):
        meshsim.run("mmc", duration="10s").write(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


SWEEP = """name = "small"
base = "cascade"
replications = 2
metrics = ["client.uploaders.goodput_per_s", "service.upload.kills"]

[[axes]]
path = "services.upload.liveness.timeout"
values = ["1s", "5s"]

[[axes]]
path = "faults[0].latency"
range = { from = "5s", to = "15s", step = "5s" }
"""


def test_a_sweep_gives_the_files_meshsim_sweep_writes(cli, tmp_path):
    spec = tmp_path / "small.toml"
    spec.write_text(SWEEP)
    cli("sweep", spec, "--quiet", "--threads", "2", "--out", tmp_path / "out")
    s = meshsim.sweep(spec, threads=3)
    files = s.files()
    assert "charts/client.uploaders.goodput_per_s.svg" in files
    for name, data in files.items():
        assert data == (tmp_path / "out" / name).read_bytes(), name
    # Text and a path give the same sweep.
    assert meshsim.sweep(SWEEP).files()["points.csv"] == files["points.csv"]
    assert s.plot("client.uploaders.goodput_per_s") == files["charts/client.uploaders.goodput_per_s.svg"].decode()
    assert s.plot("service.upload.kills", format="png") == files["charts/service.upload.kills.png"]
    assert s.plot("service.upload.kills", heatmap=True) == files["charts/service.upload.kills.heatmap.svg"].decode()
    runs = s.runs
    assert runs["run"] == list(range(12))
    assert runs["services.upload.liveness.timeout"][:3] == ["1s", "1s", "1s"]
    assert all(isinstance(v, float) for v in runs["client.uploaders.goodput_per_s"])
    assert s.points.rows == 6
