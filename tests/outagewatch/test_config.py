import pytest

from outagewatch.config import SETTINGS, ConfigError, Settings


def test_precedence_flag_env_file_default(tmp_path):
    config = tmp_path / "outagewatch.toml"
    config.write_text('db_url = "sqlite:///from-file.db"\nhttp_timeout = 7\nreddit_user_agent = "file-agent"\n')
    env = {"OUTAGEWATCH_HTTP_TIMEOUT": "9", "OUTAGEWATCH_DB_URL": "sqlite:///from-env.db"}
    s = Settings.load(flags={"db_url": "sqlite:///from-flag.db"}, environ=env, config_file=config)
    assert (s.get("db_url"), s.origins["db_url"]) == ("sqlite:///from-flag.db", "flag")
    assert (s.get("http_timeout"), s.origins["http_timeout"]) == (9.0, "env")
    assert (s.get("reddit_user_agent"), s.origins["reddit_user_agent"]) == ("file-agent", "file")
    assert s.origins["smtp_port"] == "default"
    assert s.get("smtp_port") == 587


def test_default_database_is_sqlite_in_data_dir(tmp_path):
    s = Settings.load(environ={"OUTAGEWATCH_DATA_DIR": str(tmp_path)}, config_file=tmp_path / "none.toml")
    assert s.get("db_url") == f"sqlite:///{tmp_path / 'outagewatch.db'}"


def test_secrets_are_refused_in_the_shared_config_file(tmp_path):
    config = tmp_path / "outagewatch.toml"
    config.write_text('reddit_client_secret = "oops"\n')
    with pytest.raises(ConfigError, match=r"secret.*OUTAGEWATCH_REDDIT_CLIENT_SECRET.*secrets.toml"):
        Settings.load(environ={}, config_file=config)


def test_secrets_file_beside_the_config_is_read_and_masked(tmp_path):
    (tmp_path / "secrets.toml").write_text('reddit_client_secret = "s3cr3t-value-123"\n')
    s = Settings.load(environ={}, config_file=tmp_path / "outagewatch.toml")
    assert s.get("reddit_client_secret") == "s3cr3t-value-123"
    shown = dict((name, value) for name, value, _, _ in s.rows())
    assert "s3cr3t" not in shown["reddit_client_secret"]
    assert shown["reddit_client_secret"].startswith("****")


def test_missing_setting_names_flag_variable_and_file_key(tmp_path):
    s = Settings.load(environ={}, config_file=tmp_path / "outagewatch.toml")
    with pytest.raises(ConfigError) as info:
        s.require("reddit_client_id")
    message = str(info.value)
    assert "--reddit-client-id" in message
    assert "OUTAGEWATCH_REDDIT_CLIENT_ID" in message
    assert "reddit_client_id = ..." in message


def test_bad_values_and_unknown_keys_are_clear_errors(tmp_path):
    with pytest.raises(ConfigError, match=r"http_timeout.*float"):
        Settings.load(environ={"OUTAGEWATCH_HTTP_TIMEOUT": "soon"}, config_file=tmp_path / "x.toml")
    config = tmp_path / "outagewatch.toml"
    config.write_text("db_ulr = 'typo'\n")
    with pytest.raises(ConfigError, match=r"unknown settings.*db_ulr"):
        Settings.load(environ={}, config_file=config)


def test_every_setting_is_documented_in_the_readme():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    missing = [s.name for s in SETTINGS if f"`{s.name}`" not in readme]
    assert not missing, f"settings missing from the README's configuration table: {missing}"
