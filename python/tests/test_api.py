"""The API: the ways to name a scenario, overrides, errors (the CLI's, with their location),
the columnar outputs against the files they come from, and the notebook view."""

import csv
import io
import json
import math
import pathlib
import pickle

import pytest

import meshsim

BAD_REPLICAS = meshsim.show("cascade").replace("replicas = 2", "replicas = -2", 1)


def test_a_scenario_loads_from_a_name_a_path_and_text(tmp_path):
    by_name = meshsim.load("cascade")
    path = tmp_path / "c.toml"
    path.write_text(meshsim.show("cascade"))
    assert meshsim.load(path).hash == by_name.hash
    assert meshsim.load(str(path)).hash == by_name.hash
    assert meshsim.load(meshsim.show("cascade")).hash == by_name.hash
    assert by_name.source == "builtin:cascade"
    assert meshsim.load(path).source == str(path)


def test_a_dict_is_the_same_scenario():
    by_name = meshsim.load("cascade")
    # A dict of the same schema: the same scenario (its keys are written sorted, so the
    # canonical text and hash differ), hence the same results but for the hash.
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    from_dict = meshsim.load(tomllib.loads(meshsim.show("cascade")))
    assert from_dict.source == "<dict>"
    a = meshsim.run(from_dict, duration="60s").summary
    b = meshsim.run(by_name, duration="60s").summary
    a.pop("scenario_hash"), b.pop("scenario_hash")
    assert a == b


def test_set_returns_a_new_scenario_and_to_toml_is_scenario_toml(cli, tmp_path):
    base = meshsim.load("thundering-herd")
    s = base.set("policies.retry.retry.backoff", "full_jitter")
    assert base.overrides == [] and s.overrides == ['policies.retry.retry.backoff="full_jitter"']
    assert s.hash != base.hash
    cli("run", "thundering-herd", "--quiet", "--set", "policies.retry.retry.backoff=full_jitter", "--out", tmp_path)
    assert s.to_toml() == (tmp_path / "scenario.toml").read_text()
    # Run with a Scenario: its overrides, then run's own.
    r = meshsim.run(s, duration="90s")
    assert r.scenario.overrides == ['policies.retry.retry.backoff="full_jitter"', 'duration="90s"']
    # Scenarios pickle (for Ray, Dask, multiprocessing).
    assert pickle.loads(pickle.dumps(s)).to_toml() == s.to_toml()


def test_a_bad_file_raises_the_cli_message_with_its_location(cli, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(BAD_REPLICAS)
    done = cli("run", path, check=False)
    assert done.returncode == 2
    with pytest.raises(meshsim.ScenarioError) as caught:
        meshsim.load(path)
    e = caught.value
    assert str(e) + "\n" == done.stderr
    assert (e.path, e.key, e.argument) == (str(path), "services[0].replicas", None)
    line = BAD_REPLICAS.splitlines().index("replicas = -2") + 1
    assert (e.line, e.column) == (line, len("replicas = ") + 1)
    assert isinstance(e, ValueError)


def test_a_bad_override_names_the_argument(cli):
    done = cli("run", "cascade", "--set", "services.upload.replicas=-2", check=False)
    with pytest.raises(meshsim.ScenarioError) as caught:
        meshsim.run("cascade", set={"services.upload.replicas": -2})
    e = caught.value
    assert str(e) + "\n" == done.stderr
    assert (e.line, e.column, e.key) == (None, None, "services[0].replicas")
    assert e.argument == "services.upload.replicas=-2"
    with pytest.raises(meshsim.ScenarioError, match="builtin:cascade.*services.nonesuch"):
        meshsim.load("cascade").set("services.nonesuch.replicas", 2)


def test_unknown_names_and_bad_durations_are_the_cli_errors(cli):
    done = cli("run", "nonesuch", check=False)
    with pytest.raises(meshsim.ScenarioError) as caught:
        meshsim.run("nonesuch")
    assert str(caught.value) + "\n" == done.stderr
    assert caught.value.path == "nonesuch"
    done = cli("run", "cascade", "--duration", "-5s", check=False)
    with pytest.raises(meshsim.ScenarioError) as caught:
        meshsim.run("cascade", duration="-5s")
    assert str(caught.value) + "\n" == done.stderr
    with pytest.raises(meshsim.ScenarioError, match="no builtin called `nonesuch`"):
        meshsim.show("nonesuch")
    with pytest.raises(TypeError, match="has no TOML value"):
        meshsim.load("cascade", set={"duration": object()})


def test_a_bad_sweep_raises_a_located_error():
    text = 'name = "x"\nbase = "cascade"\nreplications = 0\nmetrics = ["client.uploaders.goodput_per_s"]\n'
    with pytest.raises(meshsim.ScenarioError) as caught:
        meshsim.sweep(text)
    e = caught.value
    assert (e.path, e.line, e.key) == ("<string>", 3, "replications")


def test_columns_are_the_output_files():
    r = meshsim.run("probes")
    files = r.files()
    rows = list(csv.reader(io.StringIO(files["timeseries.csv"].decode())))
    ts = r.timeseries
    assert list(ts) == rows[0]
    assert ts.rows == len(rows) - 1
    for j, name in enumerate(rows[0]):
        for i, value in enumerate(ts[name]):
            cell = rows[i + 1][j]
            if isinstance(value, str):
                assert value == cell, name
            elif math.isnan(value):
                assert cell == "", name
            else:
                assert value == float(cell), name
    lines = [json.loads(line) for line in files["events.jsonl"].decode().splitlines()]
    ev = r.events
    assert ev.rows == len(lines) > 0
    for i, entry in enumerate(lines):
        assert {k: ev[k][i] for k in ev if ev[k][i] is not None} == {k: v for k, v in entry.items() if v is not None}
    assert r.anatomy == files["anatomy.txt"].decode().splitlines()
    assert r.timeline_svg() == files["timeline.svg"].decode()
    assert r.timeline_png() == files["timeline.png"]
    assert r.topology_svg() == files["topology.svg"].decode()
    assert r.topology_png() == files["topology.png"]
    assert r.timeline_svg()._repr_svg_().startswith("<svg")


def test_the_notebook_view_shows_the_summary_timeline_and_anatomy():
    r = meshsim.run("cascade", duration="60s")
    html = r._repr_html_()
    assert html.startswith('<div class="meshsim-run">')
    assert "<svg" in html and "</svg>" in html
    assert "uploaders" in html  # the clients table
    assert "what happened" in html  # the anatomy table
    assert html == meshsim.run("cascade", duration="60s")._repr_html_()


def test_to_pandas():
    pandas = pytest.importorskip("pandas")
    r = meshsim.run("mmc", duration="30s")
    df = r.timeseries.to_pandas()
    assert isinstance(df, pandas.DataFrame)
    assert list(df.columns) == list(r.timeseries)
    assert len(df) == r.timeseries.rows
    assert len(r.events.to_pandas()) == r.events.rows


def test_to_polars():
    polars = pytest.importorskip("polars")
    r = meshsim.run("mmc", duration="30s")
    assert polars.DataFrame is type(r.timeseries.to_polars())


def test_a_sweep_shows_its_charts_and_points_in_a_notebook():
    s = meshsim.sweep({
        "name": "tiny", "base": "mmc", "replications": 2, "set": {"duration": "300s"},
        "metrics": ["client.poisson.goodput_per_s"],
        "axes": [{"path": "services.station.slots", "values": [10, 12]}],
    })
    html = s._repr_html_()
    assert html.count("<svg") == 1 and "viewBox" in html
    assert html.count("<tr>") == 1 + s.points.rows
