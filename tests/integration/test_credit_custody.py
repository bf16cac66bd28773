"""Facilities whose collateral a custodian holds: the wallet opens when governance approves, the
custodian's reports (a signed BitGo webhook, the simulated custodian) move the collateral, the
CVL and the facility's life; nobody types the collateral in by hand."""

from __future__ import annotations

import pytest

from lana_core.credit.calculations import Collateralization
from lana_core.credit.facility import CreditError, FacilityStatus
from lana_core.custody.domain import CustodianKind
from lana_core.custody.encryption import generate_key
from lana_core.custody.fake_server import FakeCustodian, bitgo_webhook
from lana_core.custody.providers import InvalidSignature
from tests.integration.conftest import funded_account, snapshot
from tests.integration.credit_support import PRICE, check_books, set_price, terms

API_KEY = "custody-api-key-for-credit"
WEBHOOK_SECRET = "custody-webhook-secret-for-credit"


@pytest.fixture
def bank_with_price(bank, root):
    bank.config.encryption_key = generate_key()
    set_price(bank, root, PRICE)
    return bank


def approved_facility(app, root, custodian):
    customer, account = funded_account(app, root, 5_000_00)
    facility = app.credit.propose(root, customer.id, 10_000_00, terms=terms(), custodian_id=custodian.id)
    app.credit.record_customer_decision(root, facility.id, accepted=True)
    app.run_consumers()
    return app.credit.facility(root, facility.id), account


def test_a_bitgo_webhook_brings_the_collateral_that_activates_the_facility(bank_with_price, root):
    app = bank_with_price
    with FakeCustodian(API_KEY) as fake:
        bitgo = app.custody.create_custodian(root, "BitGo", CustodianKind.BITGO, fake.base_url,
                                             api_key=API_KEY, webhook_secret=WEBHOOK_SECRET)
        facility, account = approved_facility(app, root, bitgo)
        assert facility.status is FacilityStatus.PENDING_COLLATERALIZATION and facility.wallet_id is not None
        wallet = app.custody.get_wallet(root, facility.wallet_id)
        assert wallet.owner_id == facility.id

        before = snapshot(app)
        with pytest.raises(CreditError, match="reported by its custodian"):
            app.credit.update_collateral(root, facility.id, 25_000_000)
        assert snapshot(app) == before

        # The borrower sends 0.25 BTC; BitGo confirms the transfer and calls us.
        fake.set_balance(wallet.external_wallet_id, 25_000_000)
        headers, body = bitgo_webhook(WEBHOOK_SECRET, wallet.external_wallet_id, transfer="t-1")
        assert app.custody.handle_webhook(bitgo.id, headers, body).outcome == "processed"
        app.run_consumers()
        facility = app.credit.facility(root, facility.id)
        assert (facility.status, facility.collateral_sats) == (FacilityStatus.ACTIVE, 25_000_000)
        assert app.deposits.balance(root, account.id).settled == 14_900_00

        # A forged webhook changes nothing, whatever the custodian would now say.
        fake.set_balance(wallet.external_wallet_id, 1)
        before = snapshot(app)
        headers, body = bitgo_webhook("forged", wallet.external_wallet_id, transfer="t-2")
        with pytest.raises(InvalidSignature):
            app.custody.handle_webhook(bitgo.id, headers, body)
        app.run_consumers()
        assert snapshot(app) == before
        check_books(app, facility.id)


def test_the_simulated_custodian_moves_collateral_into_margin_call_and_back(bank_with_price, root):
    app = bank_with_price
    simulated = app.custody.create_custodian(root, "Simulated", "simulated")
    facility, _ = approved_facility(app, root, simulated)
    app.custody.set_balance(facility.wallet_id, 25_000_000)
    app.run_consumers()
    assert app.credit.facility(root, facility.id).status is FacilityStatus.ACTIVE

    app.custody.set_balance(facility.wallet_id, 20_000_000)  # $12,000 for $10,000: 120 %
    app.run_consumers()
    assert app.credit.facility(root, facility.id).state == Collateralization.UNDER_MARGIN_CALL
    app.custody.set_balance(facility.wallet_id, 22_000_000)  # 132 %: above 125 + 5
    app.run_consumers()
    facility = app.credit.facility(root, facility.id)
    assert (facility.state, facility.collateral_sats) == (Collateralization.FULLY_COLLATERALIZED, 22_000_000)
    check_books(app, facility.id)
