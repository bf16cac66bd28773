"""The BitGo and Komainu clients over real HTTP, against a fake custodian on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from lana_core.custody.fake_server import FakeCustodian
from lana_core.custody.providers import BitGoClient, CustodianUnavailable, KomainuClient
from tests.unit.aggregate_checks import raises_exactly

API_KEY = "custodian-api-key-3b9f"


@pytest.fixture
def fake():
    with FakeCustodian(API_KEY) as server:
        yield server


def test_a_bitgo_wallet_is_generated_and_its_confirmed_balance_read(fake):
    client = BitGoClient(fake.base_url, API_KEY, "whsec")
    opened = client.create_wallet("CF 1")
    assert (opened.external_wallet_id, opened.address) == ("bitgo-0001", "bc1qbitgo0001")
    assert fake.wallets["bitgo-0001"]["label"] == "CF 1"
    fake.set_balance("bitgo-0001", 2_100_000_000_000_000)
    assert client.confirmed_balance("bitgo-0001") == 2_100_000_000_000_000
    assert fake.requests == [("POST", "/api/v2/btc/wallet/generate"), ("GET", "/api/v2/btc/wallet/bitgo-0001")]


def test_a_komainu_wallet_is_created_and_its_btc_balance_read_exactly(fake):
    client = KomainuClient(fake.base_url + "/", API_KEY, "whsec")
    opened = client.create_wallet("CF 2")
    assert (opened.external_wallet_id, opened.address) == ("komainu-0001", "bc1qkomainu0001")
    fake.set_balance("komainu-0001", 123_456_789)
    assert client.confirmed_balance("komainu-0001") == 123_456_789
    fake.overrides[("GET", "/v1/custody/wallets/komainu-0001")] = (200, {"balance": {"available": "0.000000001"}})
    with raises_exactly(CustodianUnavailable, "Komainu wallet komainu-0001: '0.000000001' BTC has more than 8"):
        client.confirmed_balance("komainu-0001")
    fake.overrides[("GET", "/v1/custody/wallets/komainu-0001")] = (200, {"balance": {"available": 0.5}})
    with raises_exactly(CustodianUnavailable, "not an exact BTC amount"):
        client.confirmed_balance("komainu-0001")


def test_a_refused_call_names_the_status_but_never_the_api_key(fake):
    client = BitGoClient(fake.base_url, "wrong-key-must-not-leak", "whsec")
    with raises_exactly(CustodianUnavailable, "BitGo POST /api/v2/btc/wallet/generate answered HTTP 401") as caught:
        client.create_wallet("CF 1")
    assert "wrong-key-must-not-leak" not in str(caught.value)
    with raises_exactly(CustodianUnavailable, "answered HTTP 404"):
        BitGoClient(fake.base_url, API_KEY, "whsec").confirmed_balance("no-such-wallet")
    fake.fail_with = 503
    with raises_exactly(CustodianUnavailable, "answered HTTP 503"):
        KomainuClient(fake.base_url, API_KEY, "whsec").create_wallet("CF 1")


def test_an_answer_without_what_lana_needs_is_refused(fake):
    fake.overrides[("POST", "/api/v2/btc/wallet/generate")] = (200, {"id": "w-1"})
    with raises_exactly(CustodianUnavailable, "BitGo wallet generation: the answer has no receiveAddress.address"):
        BitGoClient(fake.base_url, API_KEY, "whsec").create_wallet("CF 1")
    fake.overrides[("GET", "/api/v2/btc/wallet/w-1")] = (200, {"confirmedBalance": -5})
    with raises_exactly(CustodianUnavailable, "-5 is not a number of satoshis"):
        BitGoClient(fake.base_url, API_KEY, "whsec").confirmed_balance("w-1")
    fake.overrides[("GET", "/api/v2/btc/wallet/w-1")] = (200, ["not", "an", "object"])
    with raises_exactly(CustodianUnavailable, "the answer is not a JSON object"):
        BitGoClient(fake.base_url, API_KEY, "whsec").confirmed_balance("w-1")


def test_an_unreachable_custodian_is_reported_not_raised_as_a_crash():
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with raises_exactly(CustodianUnavailable, "BitGo GET /api/v2/btc/wallet/w-1 failed"):
        BitGoClient(f"http://127.0.0.1:{port}", API_KEY, "whsec").confirmed_balance("w-1")


class _Awkward(BaseHTTPRequestHandler):
    """Redirects /redirect elsewhere (with the key, if followed); never answers /slow."""

    release = threading.Event()
    seen_elsewhere: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        if self.path.startswith("/elsewhere"):
            _Awkward.seen_elsewhere.append(self.headers.get("Authorization", ""))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'{"confirmedBalance": 1}')
        elif "redirect" in self.path:
            self.send_response(302)
            self.send_header("Location", "/elsewhere")
            self.end_headers()
        else:
            _Awkward.release.wait(5)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def awkward():
    _Awkward.release.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Awkward)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    _Awkward.release.set()
    server.shutdown()
    server.server_close()


def test_a_custodian_that_does_not_answer_in_time_is_reported(awkward):
    with raises_exactly(CustodianUnavailable, "BitGo GET /api/v2/btc/wallet/slow failed: timed out"):
        BitGoClient(awkward, API_KEY, "whsec", timeout=0.2).confirmed_balance("slow")


def test_a_redirect_is_not_followed_so_the_api_key_goes_nowhere_else(awkward):
    with raises_exactly(CustodianUnavailable, "answered HTTP 302"):
        BitGoClient(awkward, API_KEY, "whsec").confirmed_balance("redirect")
    assert _Awkward.seen_elsewhere == []
