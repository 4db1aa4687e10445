"""nginx's cached tier (deploy/nginx.conf.template) in front of a replica: a hot preview image and a hot page head
are answered by nginx without reaching Streamlit, a first visitor still gets the sticky cookie, and a page
head is revalidated with its ETag after it expires."""

from __future__ import annotations

import contextlib
import tempfile
import urllib.request
from pathlib import Path

import pytest

from tests.web_client import parse_head
from tools.server import streamlit_server

from .proxy import nginx_proxy

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "fixtures" / "mini"

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]  # needs nginx, which `make browser` installs


def get(url: str):
    with urllib.request.urlopen(urllib.request.Request(url), timeout=60) as response:
        return response.status, response.headers, response.read()


def test_hot_previews_and_heads_come_from_nginx():
    with contextlib.ExitStack() as stack:
        replica = stack.enter_context(streamlit_server(data_dir=MINI))
        runtime = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bw-cache-")))
        proxy = stack.enter_context(nginx_proxy([replica.removeprefix("http://")], runtime))
        try:
            status, headers, page = get(proxy.base + "/map?actor=russia")
            assert status == 200 and headers["X-Cache-Status"] == "MISS"
            assert "bw_route=" in headers["Set-Cookie"]
            image_url = parse_head(page.decode()).one("og:image")
            assert image_url.startswith(proxy.base + "/-/preview/map.png?actor=russia&v=")

            first = get(image_url)
            assert first[0] == 200 and first[1]["Content-Type"] == "image/png"
            for _ in range(5):
                again = get(image_url)
                assert again[1]["X-Cache-Status"] == "HIT" and again[2] == first[2]
                head_again = get(proxy.base + "/map?actor=russia")
                assert head_again[1]["X-Cache-Status"] == "HIT" and head_again[2] == page
                assert "bw_route=" in head_again[1]["Set-Cookie"]  # stickiness survives the cache

            hits = [line for line in proxy.access_lines() if line.uri.startswith(("/-/preview/", "/map?"))]
            upstream = [line for line in hits if line.upstreams]
            # Only the first request of each URL reached Streamlit (the image: after one redirect-free fetch).
            assert sorted(line.uri.split("?")[0] for line in upstream) == ["/-/preview/map.png", "/map"], upstream
        except BaseException:
            print(proxy.report())
            print(replica.log())
            raise
