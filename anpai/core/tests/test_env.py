"""Settings helpers fail fast, naming the variable and the rule."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from anpai.env import env_bool, env_choice, env_int, env_list, env_str, persistent_secret


def test_env_bool_accepts_the_usual_spellings(monkeypatch):
    for raw, expected in (("1", True), ("yes", True), ("On", True), ("0", False), ("no", False)):
        monkeypatch.setenv("ANPAI_X", raw)
        assert env_bool("ANPAI_X") is expected
    monkeypatch.delenv("ANPAI_X")
    assert env_bool("ANPAI_X", True) is True


def test_env_bool_refuses_anything_else(monkeypatch):
    monkeypatch.setenv("ANPAI_X", "maybe")
    with pytest.raises(ImproperlyConfigured, match="ANPAI_X must be a boolean"):
        env_bool("ANPAI_X")


def test_env_int_checks_type_and_minimum(monkeypatch):
    monkeypatch.setenv("ANPAI_N", "12")
    assert env_int("ANPAI_N", 3) == 12
    monkeypatch.setenv("ANPAI_N", "twelve")
    with pytest.raises(ImproperlyConfigured, match="ANPAI_N must be an integer"):
        env_int("ANPAI_N", 3)
    monkeypatch.setenv("ANPAI_N", "2")
    with pytest.raises(ImproperlyConfigured, match="ANPAI_N must be at least 5"):
        env_int("ANPAI_N", 30, minimum=5)


def test_env_list_choice_and_file_secrets(monkeypatch, tmp_path):
    monkeypatch.setenv("ANPAI_HOSTS", "a.example, b.example,,")
    assert env_list("ANPAI_HOSTS") == ["a.example", "b.example"]
    monkeypatch.setenv("ANPAI_MODE", "fast")
    with pytest.raises(ImproperlyConfigured, match="ANPAI_MODE must be one of slow, safe"):
        env_choice("ANPAI_MODE", ("slow", "safe"), "safe")
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("ANPAI_SECRET_FILE", str(secret))
    assert env_str("ANPAI_SECRET") == "from-a-file"
    monkeypatch.setenv("ANPAI_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="ANPAI_SECRET_FILE: cannot read"):
        env_str("ANPAI_SECRET")


def test_generated_secret_is_kept_across_restarts(tmp_path):
    path = tmp_path / "data" / "secret_key"
    first = persistent_secret(path)
    assert len(first) >= 50
    assert persistent_secret(path) == first
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_a_bad_setting_stops_start_up_with_its_name(tmp_path):
    env = {"ANPAI_DATA_DIR": str(tmp_path), "ANPAI_SESSION_IDLE_MINUTES": "soon", "PATH": ""}
    result = subprocess.run(
        [sys.executable, "-c", "import anpai.settings"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "ANPAI_SESSION_IDLE_MINUTES must be an integer" in result.stderr
