"""``ion7400-hmi config show | validate | export | import``: outputs, exit codes, files."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from engine.config import PASSWORD_MASK, MeterConfig, load_config, save_config
from hmi.cli import main

CHANGED = replace(
    MeterConfig(),
    ct_primary=200.0,
    security=replace(MeterConfig().security, password="4711"),
    communications=replace(MeterConfig().communications, ip="10.0.0.7"),
)


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """The user's default configuration file, in a temporary configuration directory."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg" / "ion7400-hmi" / "config.toml"


def files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def test_show_prints_the_defaults_when_there_is_no_file(home, capsys):
    assert main(["config", "show"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"# defaults (there is no {home})")
    document = tomllib.loads(out)
    expected = MeterConfig().to_dict()
    expected["security"]["password"] = PASSWORD_MASK
    assert document == expected
    assert not home.exists()  # showing creates nothing


def test_show_prints_the_file_without_the_password(home, tmp_path, capsys):
    save_config(CHANGED, home)
    assert main(["config", "show"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"# from {home}")
    document = tomllib.loads(out)
    assert document["meter"]["ct_primary"] == 200.0
    assert document["security"]["password"] == PASSWORD_MASK and "4711" not in out
    other = tmp_path / "other.toml"
    save_config(replace(CHANGED, ct_primary=50.0), other)
    for argv in (["config", "show", "--config", str(other)],
                 ["--config", str(other), "config", "show"]):  # fmt: skip
        assert main(argv) == 0
        assert tomllib.loads(capsys.readouterr().out)["meter"]["ct_primary"] == 50.0


def test_show_reports_a_bad_active_file(home, capsys):
    home.parent.mkdir(parents=True)
    home.write_text("[display]\ncontrast = 400\n")
    assert main(["config", "show"]) == 2
    err = capsys.readouterr().err
    assert f"{home}:2: display.contrast: must be" in err and "kept as" in err
    assert len(err.strip().splitlines()) == 1
    assert home.read_text() == "[display]\ncontrast = 400\n"


def test_validate(tmp_path, capsys):
    good = tmp_path / "good.toml"
    save_config(CHANGED, good)
    assert main(["config", "validate", str(good)]) == 0
    assert capsys.readouterr().out == f"{good}: valid\n"
    bad = tmp_path / "bad.toml"
    bad.write_text("version = 1\n[communications]\nbaud = 1200\n")
    before = files(tmp_path)
    assert main(["config", "validate", str(bad)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"ion7400-hmi: error: {bad}:3: communications.baud: must be")
    assert len(captured.err.strip().splitlines()) == 1
    assert files(tmp_path) == before  # validating keeps no copies
    assert main(["config", "validate", str(tmp_path / "absent.toml")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_export_writes_the_configuration_in_use(home, tmp_path, capsys):
    out = tmp_path / "exported.toml"
    assert main(["config", "export", str(out)]) == 0
    assert load_config(out) == MeterConfig()
    assert "from the defaults" in capsys.readouterr().out and not home.exists()
    save_config(CHANGED, home)
    assert main(["config", "export", str(out)]) == 0
    assert load_config(out) == CHANGED  # with the password: a full copy
    src = tmp_path / "src.toml"
    save_config(replace(CHANGED, ct_primary=75.0), src)
    assert main(["config", "export", str(out), "--config", str(src)]) == 0
    assert load_config(out).ct_primary == 75.0
    assert str(src) in capsys.readouterr().out


def test_import_makes_a_file_the_active_configuration(home, tmp_path, capsys):
    source = tmp_path / "site.toml"
    save_config(CHANGED, source)
    assert main(["config", "import", str(source)]) == 0
    assert load_config(home) == CHANGED
    assert not home.with_name("config.toml.bak").exists()  # there was no previous file
    capsys.readouterr()
    save_config(replace(CHANGED, ct_primary=400.0, security=MeterConfig().security), source)
    assert main(["config", "import", str(source)]) == 0
    out = capsys.readouterr().out
    assert load_config(home).ct_primary == 400.0
    bak = home.with_name("config.toml.bak")
    assert load_config(bak) == CHANGED and f"previous file kept as {bak}" in out
    assert "meter.ct_primary: 200 -> 400" in out
    assert "security.password: ******** -> ********" in out and "4711" not in out


def test_import_into_a_chosen_file(tmp_path):
    source, dest = tmp_path / "site.toml", tmp_path / "dest" / "meter.toml"
    save_config(CHANGED, source)
    assert main(["config", "import", str(source), "--config", str(dest)]) == 0
    assert load_config(dest) == CHANGED


def test_import_refuses_an_invalid_file_and_changes_nothing(home, tmp_path, capsys):
    save_config(MeterConfig(), home)
    save_config(CHANGED, home)
    before = {p.name: p.read_bytes() for p in home.parent.iterdir()}
    source = tmp_path / "broken.toml"
    source.write_text("[meter]\nct_primary = 'lots'\n")
    assert main(["config", "import", str(source)]) == 2
    err = capsys.readouterr().err
    assert f"{source}:2: meter.ct_primary" in err and len(err.strip().splitlines()) == 1
    assert {p.name: p.read_bytes() for p in home.parent.iterdir()} == before
    assert files(tmp_path) == {"broken.toml", "xdg"}  # no copies of the source either


def test_config_needs_an_action(capsys):
    with pytest.raises(SystemExit) as info:
        main(["config"])
    assert info.value.code == 2
    assert "ACTION" in capsys.readouterr().err


def test_the_window_refuses_a_corrupt_file_and_keeps_it(tmp_path, capsys):
    """Starting the emulator on a damaged configuration: a clear error naming the file and the
    line, exit 2, the file left as it was and a copy kept; no window, nothing overwritten."""
    bad = tmp_path / "meter.toml"
    text = "version = 1\n[meter]\nct_primary = 'two hundred'\n"
    bad.write_text(text)
    assert main(["--config", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:3:" in err and "ct_primary" in err
    assert bad.read_text() == text
    assert [p.read_text() for p in tmp_path.glob("meter.toml.bad-*")] == [text]
