"""docs/python.md's 20-line example runs as printed."""

import os
import re


def test_the_docs_example_runs(repo, tmp_path, capsys):
    text = (repo / "docs" / "python.md").read_text()
    block = re.search(r"<!-- example:[^>]*-->\n```python\n(.*?)```", text, re.S).group(1)
    assert len(block.splitlines()) <= 21
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        exec(compile(block, "docs/python.md", "exec"), {})
    finally:
        os.chdir(cwd)
    out = capsys.readouterr().out
    assert "cascade-protected" in out
    assert (tmp_path / "goodput.svg").read_text().startswith("<svg")
