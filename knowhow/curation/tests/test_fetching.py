"""The safe fetcher against a real local HTTP server: SSRF refusals, redirects, size and time."""

import ipaddress
import time

import pytest

from knowhow.curation.fetching import (
    FEED_TYPES,
    FetchFailed,
    FetchLimits,
    FetchRefused,
    address_is_public,
    safe_fetch,
)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",
        "100.100.100.200",  # Alibaba metadata, carrier-grade NAT range
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "fd00:ec2::254",  # AWS metadata over IPv6
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "::ffff:10.0.0.1",
        "2002:7f00:0001::1",  # 6to4 wrapping 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 wrapping 169.254.169.254
        "2001:db8::1",
    ],
)
def test_internal_addresses_are_not_public(address):
    assert not address_is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:4700::6810:84e5", "::ffff:8.8.8.8"])
def test_internet_addresses_are_public(address):
    assert address_is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.1.2.3/",
        "http://192.168.0.1:8080/admin",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:a9fe:a9fe]/",
        "http://0.0.0.0/",
        "http://2130706433/",  # 127.0.0.1 written as a number
        "http://0x7f000001/",
        "http://127.1/",
        "http://localhost/",
    ],
)
def test_urls_resolving_to_internal_addresses_are_refused(url, settings):
    settings.CURATION_FETCH_ALLOWED_ADDRESSES = []
    with pytest.raises(FetchRefused):
        safe_fetch(url)


def test_the_local_server_itself_is_refused_without_the_allow_list(web_server, settings):
    settings.CURATION_FETCH_ALLOWED_ADDRESSES = []
    web_server.hits.clear()
    with pytest.raises(FetchRefused):
        safe_fetch(f"{web_server.base}/page")
    assert [path for path, _ in web_server.hits] == []


def test_the_allow_list_is_exact_to_the_port(web_server, settings):
    settings.CURATION_FETCH_ALLOWED_ADDRESSES = [f"127.0.0.1:{web_server.server_port + 1}"]
    with pytest.raises(FetchRefused):
        safe_fetch(f"{web_server.base}/page")


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.com/x",
        "gopher://127.0.0.1:25/",
        "javascript:alert(1)",
        "http://user:pass@example.com/",
        "not a url",
        "http://",
        "http://[::1/",
    ],
)
def test_non_http_and_malformed_urls_are_refused(url):
    with pytest.raises(FetchRefused):
        safe_fetch(url)


def test_a_page_is_fetched(web):
    result = safe_fetch(f"{web.base}/page")
    assert result.status == 200
    assert result.content_type == "text/html"
    assert b"Giving feedback" in result.body
    headers = web.hits[-1][1]
    assert headers["Accept-Encoding"] == "identity"
    assert headers["Host"] == f"127.0.0.1:{web.server_port}"


def test_redirects_are_followed_and_recorded(web):
    result = safe_fetch(f"{web.base}/redirect?to=/page&code=301")
    assert result.url == f"{web.base}/page"
    assert result.redirects == [f"{web.base}/page"]


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/iam/",
        "http://10.0.0.1/",
        "http://[::ffff:127.0.0.1]/",
        "http://127.0.0.1:1/",  # loopback on a port that is not allow-listed
        "http://localhost/",
        "file:///etc/passwd",
    ],
)
def test_a_redirect_to_an_internal_address_is_refused(web, target):
    with pytest.raises(FetchRefused):
        safe_fetch(f"{web.base}/redirect?to={target}")
    assert [path for path, _ in web.hits] == ["/redirect"]


def test_a_redirect_loop_stops(web):
    with pytest.raises(FetchFailed, match="Too many redirects"):
        safe_fetch(f"{web.base}/loop")


def test_a_declared_2_gb_body_is_refused_without_reading_it(web):
    with pytest.raises(FetchRefused, match="too large"):
        safe_fetch(f"{web.base}/huge")


def test_a_never_ending_body_is_cut_at_the_byte_cap(web):
    with pytest.raises(FetchRefused, match="larger than the limit"):
        safe_fetch(f"{web.base}/endless", limits=FetchLimits(max_bytes=256 * 1024))


def test_a_slow_drip_is_stopped_by_the_total_deadline(web):
    started = time.monotonic()
    with pytest.raises(FetchFailed, match="too long"):
        safe_fetch(f"{web.base}/drip", limits=FetchLimits(total_seconds=1.0))
    # Each byte arrives well inside any per-read timeout; only a total deadline ends it.
    assert time.monotonic() - started < 5


def test_an_unexpected_content_type_is_refused(web):
    with pytest.raises(FetchRefused, match="application/pdf"):
        safe_fetch(f"{web.base}/pdf")


def test_an_http_error_is_reported(web):
    with pytest.raises(FetchFailed, match="HTTP 404"):
        safe_fetch(f"{web.base}/missing")


def test_an_unresolvable_host_is_reported():
    with pytest.raises(FetchFailed, match="could not be resolved"):
        safe_fetch("http://no-such-host.invalid/")


def test_conditional_get_returns_not_modified(web):
    result = safe_fetch(
        f"{web.base}/feed.xml",
        limits=FetchLimits(accept_types=FEED_TYPES),
        headers={"If-None-Match": '"v1"'},
    )
    assert result.not_modified
