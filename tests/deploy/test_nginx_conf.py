"""deploy/nginx.conf.template renders to a config that keeps sessions sticky and websockets alive."""

from __future__ import annotations

import re
import subprocess

import pytest

from .proxy import load_renderer, nginx_binary

UPSTREAMS = ["127.0.0.1:8501", "127.0.0.1:8502", "127.0.0.1:8503"]


@pytest.fixture
def conf(tmp_path) -> str:
    return load_renderer().render("127.0.0.1:8080", UPSTREAMS, tmp_path)


def block(text: str, opening: str) -> str:
    """The body of the first `opening { ... }` block (braces balanced)."""
    start = text.index(opening)
    depth, i = 0, text.index("{", start)
    for j in range(i, len(text)):
        depth += {"{": 1, "}": -1}.get(text[j], 0)
        if depth == 0:
            return text[i + 1: j]
    raise AssertionError(f"unbalanced block {opening}")


def test_no_placeholder_left_and_paths_stay_in_the_runtime_dir(conf, tmp_path):
    assert "${" not in conf
    for directive in ("pid", "error_log", "access_log", "client_body_temp_path", "proxy_temp_path"):
        for value in re.findall(rf"^\s*{directive}\s+(\S+?);?(?:\s|$)", conf, re.M):
            assert value == "off" or value.startswith(str(tmp_path.resolve())), f"{directive} {value} is outside"


def test_upstream_is_sticky_by_cookie_with_consistent_hashing(conf):
    upstream = block(conf, "upstream basewatch")
    assert re.search(r"^\s*hash \$bw_route_key consistent;", upstream, re.M)
    assert "ip_hash" not in upstream
    servers = re.findall(r"^\s*server (\S+) max_fails=\d+ fail_timeout=\w+;", upstream, re.M)
    assert servers == UPSTREAMS
    # The key is the cookie nginx sets on the first response.
    assert re.search(r'""\s+"bw_route=\$request_id; Path=/; HttpOnly; SameSite=Lax";', conf)
    assert "add_header Set-Cookie $bw_route_set_cookie;" in conf


def test_websocket_route_upgrades_keeps_host_and_stays_open(conf):
    stream = block(conf, "location = /_stcore/stream")
    for header in ("Upgrade $http_upgrade", "Connection $connection_upgrade", "Host $http_host"):
        assert f"proxy_set_header {header};" in stream, header
    assert "proxy_pass http://basewatch;" in stream
    timeout = re.search(r"proxy_read_timeout (\d+)([smhd]);", stream)
    seconds = int(timeout.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[timeout.group(2)]
    assert seconds >= 3600, f"proxy_read_timeout {timeout.group(0)} would cut idle readers"
    assert re.search(r"^\s*proxy_http_version 1\.1;", conf, re.M)


def test_health_endpoints(conf):
    assert "proxy_pass http://basewatch;" in block(conf, "location = /_stcore/health")
    assert "return 200" in block(conf, "location = /nginx-health")


def test_renderer_rejects_bad_input(tmp_path):
    renderer = load_renderer()
    with pytest.raises(ValueError):
        renderer.render(8080, [], tmp_path)
    with pytest.raises(ValueError):
        renderer.render(8080, ["127.0.0.1:8501; evil"], tmp_path)
    with pytest.raises(ValueError):
        renderer.render(8080, ["127.0.0.1:8501"], tmp_path / "with space")


@pytest.mark.browser  # needs nginx, which `make browser` installs along with Chromium
def test_nginx_accepts_the_config(tmp_path):
    binary = nginx_binary()
    if binary is None:
        pytest.fail("nginx is not installed: run `make browser` (apt-get install nginx)")
    renderer = load_renderer()
    renderer.prepare_runtime_dir(tmp_path)
    conf = tmp_path / "nginx.conf"
    conf.write_text(renderer.render("127.0.0.1:8080", UPSTREAMS, tmp_path))
    result = subprocess.run([binary, "-t", "-q", "-e", str(tmp_path / "error.log"), "-c", str(conf),
                             "-p", str(tmp_path), "-g", "daemon off;"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_cache_lives_in_the_runtime_dir(conf, tmp_path):
    path = re.search(r"^\s*proxy_cache_path (\S+) ", conf, re.M).group(1)
    assert path == str(tmp_path.resolve() / "cache")
    assert "keys_zone=basewatch_cache:" in conf


def test_previews_are_cached_per_canonical_url(conf):
    preview = block(conf, "location ^~ /-/preview/")
    assert "proxy_cache basewatch_cache;" in preview
    assert 'proxy_cache_key "$scheme://$host$request_uri";' in preview  # the URL carries the data version
    assert "proxy_cache_lock on;" in preview and "Set-Cookie" in preview


def test_the_head_of_every_page_path_and_only_those_is_cached(conf):
    from basewatch.state.pages import PAGES

    match = re.search(r"location ~ (\^\S+\$) \{", conf)
    assert match, "no regex location for the page paths"
    pattern = re.compile(match.group(1))
    assert all(pattern.match("/" + page.url_path) for page in PAGES)
    for other in ("/_stcore/health", "/_stcore/stream", "/maps", "/map/x", "/-/status.json", "/static/x.js"):
        assert not pattern.match(other), other
    head = block(conf, f"location ~ {match.group(1)}")
    assert "proxy_cache_revalidate on;" in head  # the app's ETag: 304 after the 60 s an entry lives
    assert "add_header Set-Cookie $bw_route_set_cookie;" in head  # a cached page still makes the reader sticky
