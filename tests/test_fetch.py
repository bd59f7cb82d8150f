"""Fetching from the server (annotator/ingest/fetch.py): what it refuses and why, against pages served locally."""

import socket

import pytest

from annotator.ingest.fetch import FetchError, check_address, fetch

from .ingest_files import Site, article, dribble, endless, slow

LIMIT = 1024 * 1024


@pytest.fixture
def site():
    with Site() as s:
        yield s


def test_it_fetches_a_local_page_when_private_addresses_are_allowed(site):
    url = site.html("/a", article())
    fetched = fetch(url, max_bytes=LIMIT, allow_private=True)
    assert fetched.data == article() and fetched.media_type == "text/html; charset=utf-8"
    assert fetched.final_url == url and fetched.fetched_at.tzinfo is not None


def test_it_refuses_loopback_by_default(site):
    with pytest.raises(FetchError, match="Not allowed: the address 127.0.0.1 is not public"):
        fetch(site.html("/a", article()), max_bytes=LIMIT)
    assert site.requests == []  # refused before connecting


def test_it_refuses_a_redirect_to_127_0_0_1(site, monkeypatch):
    """A public site that redirects to the machine itself: the redirect's address is checked like the first.
    (The "public" address 93.184.216.34 is, for this test, our local server.)"""
    port = site.server.server_address[1]
    site.pages["/go"] = (302, {"Location": f"http://127.0.0.1:{port}/a"}, b"")
    site.html("/a", article())
    real_resolve, real_connect = socket.getaddrinfo, socket.create_connection
    connected = []

    def resolve(host, *args, **kwargs):
        if host == "public.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))]
        return real_resolve(host, *args, **kwargs)

    def create_connection(address, *args, **kwargs):
        connected.append(address[0])
        return real_connect(("127.0.0.1", address[1]), *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    with pytest.raises(FetchError, match="Not allowed: the address 127.0.0.1 is not public"):
        fetch(f"http://public.example:{port}/go", max_bytes=LIMIT)
    assert connected == ["93.184.216.34"] and site.requests == ["/go"]  # the first hop went, the second never did


def test_it_refuses_a_name_resolving_to_a_private_address(monkeypatch):
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, port, *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port))],
    )
    with pytest.raises(FetchError, match="Not allowed: the address 10.1.2.3 is not public"):
        fetch("http://intranet.example/", max_bytes=LIMIT)


def test_a_name_with_one_private_address_among_public_ones_is_refused(monkeypatch):
    answers = [("93.184.216.34", 80), ("192.168.1.1", 80)]
    monkeypatch.setattr(
        socket, "getaddrinfo", lambda *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", x) for x in answers]
    )
    with pytest.raises(FetchError, match="192.168.1.1 is not public"):
        fetch("http://mixed.example/", max_bytes=LIMIT)


def test_the_connection_goes_to_the_address_checked_not_a_new_lookup(site, monkeypatch):
    """DNS rebinding: the name is looked up once, and the connection made to the address checked then; a second
    lookup (which would answer 10.9.9.9) never happens."""
    lookups, connected = [], []
    port = site.server.server_address[1]
    site.html("/a", article())

    real_resolve, real_connect = socket.getaddrinfo, socket.create_connection

    def resolve(host, *args, **kwargs):
        if host != "rebind.example":
            return real_resolve(host, *args, **kwargs)
        lookups.append(host)
        address = "127.0.0.1" if len(lookups) == 1 else "10.9.9.9"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    def create_connection(address, *args, **kwargs):
        connected.append(address[0])
        return real_connect(address, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    fetched = fetch(f"http://rebind.example:{port}/a", max_bytes=LIMIT, allow_private=True, timeout=3)
    assert fetched.data == article()
    assert (lookups, connected) == (["rebind.example"], ["127.0.0.1"])


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "gopher://127.0.0.1:70/", "ftp://example.org/x", "javascript:alert(1)", "//example.org/"],
)
def test_it_refuses_other_schemes(url):
    with pytest.raises(FetchError, match="only http:// and https://"):
        fetch(url, max_bytes=LIMIT, allow_private=True)


@pytest.mark.parametrize(
    "address, allowed_with_private",
    [
        ("127.0.0.1", True),
        ("10.0.0.1", True),
        ("172.16.5.4", True),
        ("192.168.0.1", True),
        ("::1", True),
        ("fd00::1", True),
        ("100.64.0.1", True),
        ("::ffff:127.0.0.1", True),
        ("169.254.169.254", False),
        ("fe80::1", False),
        ("224.0.0.1", False),
        ("0.0.0.0", False),
        ("240.0.0.1", False),
        ("ff02::1", False),
    ],
)
def test_addresses_that_are_not_public(address, allowed_with_private):
    with pytest.raises(FetchError, match="Not allowed"):
        check_address(address)
    if allowed_with_private:
        check_address(address, allow_private=True)
    else:
        with pytest.raises(FetchError, match="link-local, multicast or reserved"):
            check_address(address, allow_private=True)


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "8.8.8.8"])
def test_public_addresses_pass(address):
    check_address(address)


def test_the_metadata_address_is_refused_even_when_private_addresses_are_allowed():
    with pytest.raises(FetchError, match="169.254.169.254 is link-local"):
        fetch("http://169.254.169.254/latest/meta-data/", max_bytes=LIMIT, allow_private=True)


def test_redirects_are_followed_up_to_five(site):
    for n in range(6):
        site.pages[f"/r{n}"] = (301, {"Location": f"/r{n + 1}"}, b"")
    site.html("/r6", article())
    assert fetch(site.url("/r1"), max_bytes=LIMIT, allow_private=True).final_url == site.url("/r6")  # five hops
    with pytest.raises(FetchError, match="Too many redirects: more than 5"):
        fetch(site.url("/r0"), max_bytes=LIMIT, allow_private=True)


def test_a_404_says_not_found(site):
    with pytest.raises(FetchError, match="Not found: the server answered 404"):
        fetch(site.url("/missing"), max_bytes=LIMIT, allow_private=True)


def test_a_server_error_says_its_status(site):
    site.pages["/down"] = (503, {"Content-Type": "text/plain"}, b"busy")
    with pytest.raises(FetchError, match="HTTP 503"):
        fetch(site.url("/down"), max_bytes=LIMIT, allow_private=True)


def test_a_slow_server_times_out(site):
    site.pages["/slow"] = lambda handler: slow(handler, 5)
    with pytest.raises(FetchError, match="Timed out"):
        fetch(site.url("/slow"), max_bytes=LIMIT, allow_private=True, timeout=1)


def test_a_body_that_dribbles_in_is_cut_off_by_the_deadline_for_the_whole(site):
    site.pages["/dribble"] = dribble
    with pytest.raises(FetchError, match="Timed out"):
        fetch(site.url("/dribble"), max_bytes=LIMIT, allow_private=True, timeout=1.5)


def test_an_endless_body_is_refused_as_too_large(site):
    site.pages["/endless"] = endless
    with pytest.raises(FetchError, match="Too large: the page is over the limit of 1,048,576 bytes"):
        fetch(site.url("/endless"), max_bytes=LIMIT, allow_private=True)


def test_a_declared_length_over_the_limit_is_refused_before_reading(site):
    site.html("/big", b"x" * (LIMIT + 1))
    with pytest.raises(FetchError, match="Too large: the page is 1,048,577 bytes"):
        fetch(site.url("/big"), max_bytes=LIMIT, allow_private=True)


def test_an_address_with_credentials_is_refused():
    with pytest.raises(FetchError, match="user name or password"):
        fetch("http://user:secret@example.org/", max_bytes=LIMIT)
