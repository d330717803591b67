"""Server layouts without a server: the neo4j.conf each layout gets, the browse copy's ports,
password file, refresh lock and the identifier check that guards labels spliced into Cypher."""

from __future__ import annotations

from pathlib import Path

import pytest

from contracts.settings import Settings
from kg.server.browse_copy import (
    BrowseCopyError,
    Source,
    browse_copy,
    browse_password,
    check_identifier,
    refresh,
)
from kg.server.neo4j_server import Login, ServerLayout, main_layout, write_config


def _conf(layout: ServerLayout) -> dict[str, str]:
    text = write_config(layout).read_text(encoding="utf-8")
    pairs = (ln.split("=", 1) for ln in text.splitlines() if ln and not ln.startswith("#"))
    return {k: v for k, v in pairs}


def test_main_layout_keeps_the_settings_ports_and_is_writable(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, neo4j_bolt_port=7687, neo4j_http_port=7474)
    conf = _conf(main_layout(settings))
    assert conf["server.bolt.listen_address"] == "127.0.0.1:7687"
    assert conf["server.http.listen_address"] == "127.0.0.1:7474"
    assert conf["browser.post_connect_cmd"] == (
        "style http://127.0.0.1:7476/mindkg.grass; play http://127.0.0.1:7476/guide.html"
    )
    assert conf["dbms.security.auth_enabled"] == "true"
    assert not any("read_only" in key for key in conf)


def test_browse_copy_is_read_only_on_its_own_ports_and_home(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, neo4j_bolt_port=7687, neo4j_http_port=7474)
    copy = browse_copy(settings)
    conf = _conf(copy.layout)
    assert copy.layout.home == tmp_path / "neo4j-browse"
    assert copy.layout.lib == tmp_path / "neo4j" / "lib"  # the main server's jars, shared
    assert conf["server.bolt.listen_address"] == "127.0.0.1:7688"
    assert conf["server.http.listen_address"] == "127.0.0.1:7475"
    assert conf["server.databases.read_only"] == "neo4j"
    assert conf["server.databases.default_to_read_only"] == "true"
    assert conf["server.directories.data"] == str(tmp_path / "neo4j-browse" / "data")
    assert conf["internal.dbms.bolt.netty_server_shutdown_quiet_period"] == "1"
    # Same guide and style as the main server, from the copy's own assets port.
    assert conf["browser.post_connect_cmd"] == (
        "style http://127.0.0.1:7477/mindkg.grass; play http://127.0.0.1:7477/guide.html"
    )


def test_browse_copy_ports_come_from_settings_so_start_and_status_find_them(
    tmp_path: Path,
) -> None:
    settings = Settings(home=tmp_path, neo4j_browse_bolt_port=18700, neo4j_browse_http_port=18500)
    conf = _conf(browse_copy(settings).layout)
    assert conf["server.bolt.listen_address"] == "127.0.0.1:18700"
    assert conf["server.http.listen_address"] == "127.0.0.1:18500"
    assert browse_copy(settings, bolt_port=18800).layout.bolt_port == 18800  # option wins


def test_a_layout_without_http_has_no_browser(tmp_path: Path) -> None:
    layout = ServerLayout(tmp_path, tmp_path / "lib", 17000, None, "256m", "64m")
    conf = _conf(layout)
    assert conf["server.http.enabled"] == "false"
    assert "browser.post_connect_cmd" not in conf and layout.assets_port is None


def test_copy_ports_must_not_clash_with_the_main_server(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, neo4j_bolt_port=7687, neo4j_http_port=7474)
    with pytest.raises(BrowseCopyError, match="apart from the main server"):
        browse_copy(settings, bolt_port=7687)
    with pytest.raises(BrowseCopyError, match="apart from the main server"):
        browse_copy(settings, http_port=7472)  # its assets port would be the main's 7474
    with pytest.raises(BrowseCopyError, match="distinct"):
        browse_copy(settings, bolt_port=9000, http_port=9000)


def test_browse_password_is_random_owner_only_and_stable(tmp_path: Path) -> None:
    copy = browse_copy(Settings(home=tmp_path))
    with pytest.raises(BrowseCopyError, match="refresh"):
        browse_password(copy)
    first = browse_password(copy, create=True)
    assert len(first) >= 24 and browse_password(copy) == first
    assert copy.password_file == tmp_path / "secrets" / "neo4j-browse.password"
    assert copy.password_file.stat().st_mode & 0o777 == 0o600
    other = browse_copy(Settings(home=tmp_path / "other"))
    assert browse_password(other, create=True) != first


@pytest.mark.parametrize(
    "bad", ["Student`) DETACH DELETE n //", "9lives", "a-b", "", "Emo tion", "MindkgCopyInProgress"]
)
def test_labels_from_the_data_must_be_identifiers(bad: str) -> None:
    with pytest.raises(BrowseCopyError, match="not a plain identifier"):
        check_identifier(bad, "label")


def test_plain_labels_pass() -> None:
    assert check_identifier("FeatureText", "label") == "FeatureText"
    assert check_identifier("HAS_SESSION", "relationship type") == "HAS_SESSION"


def test_a_concurrent_second_refresh_is_refused(tmp_path: Path) -> None:
    """Two refreshes would share the build folder: the second fails at once, before any I/O."""
    import fcntl

    copy = browse_copy(Settings(home=tmp_path))
    lock = copy.layout.home.with_name("neo4j-browse.lock")
    with lock.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(BrowseCopyError, match="another refresh"):
            refresh(copy, Source(uri="bolt://localhost:1", login=Login("neo4j", "unused-pass")))
    assert not copy.password_file.exists()
