"""``lana customer``: onboarding, personal information, documents, closing."""

from __future__ import annotations

from tests.e2e.cli import lana


def test_a_customer_is_onboarded_updated_and_their_documents_kept(root, tmp_path):
    jane = root.json("customer", "create", "--email", "Jane@Example.com", "--type", "individual",
                     "--first-name", "Jane", "--last-name", "Doe", "--date-of-birth", "1990-05-01",
                     "--nationality", "SV", "--telegram", "@jane")
    assert (jane["email"], jane["status"], jane["kyc_status"]) == ("jane@example.com", "active", "pending_verification")
    assert jane["personal_info"]["date_of_birth"] == "1990-05-01" and jane["telegram"] == "@jane"
    root.json("customer", "create", "--email", "ops@acme.example", "--type", "private_company",
              "--company-name", "Acme SA")

    # By email or id; an update keeps the fields not given.
    assert root.json("customer", "show", "jane@example.com")["id"] == jane["id"]
    updated = root.json("customer", "update", jane["id"], "--phone", "+503 2222 0000", "--address", "1 Main St")
    assert updated["personal_info"] == jane["personal_info"] | {"phone": "+503 2222 0000", "address": "1 Main St"}
    companies = root.json("customer", "list", "--type", "private_company")
    assert [c["email"] for c in companies] == ["ops@acme.example"]

    # Documents: stored, listed, fetched byte for byte, archived, deleted (the record stays).
    scan = tmp_path / "passport.pdf"
    scan.write_bytes(b"%PDF-1.4 passport scan\n")
    document = root.json("customer", "document", "add", jane["id"], str(scan))
    assert (document["filename"], document["content_type"], document["size"]) == ("passport.pdf", "application/pdf", 23)
    copy = tmp_path / "copy.pdf"
    fetched = root.run("customer", "document", "get", document["id"], "--output", str(copy))
    assert copy.read_bytes() == scan.read_bytes() and "23 bytes written" in fetched.stderr
    assert root.json("customer", "document", "archive", document["id"])["status"] == "archived"
    assert root.json("customer", "document", "delete", document["id"])["status"] == "deleted"
    assert [d["status"] for d in root.json("customer", "document", "list", jane["id"])] == ["deleted"]
    assert root.refused("customer", "document", "get", document["id"], "--output", str(copy)) == (
        "document passport.pdf was deleted")
    assert root.json("customer", "kyc-webhooks") == []


def test_bad_customer_input_is_refused_in_one_line(root):
    assert root.refused("customer", "create", "--email", "not-an-email", "--type", "individual",
                        "--first-name", "A", "--last-name", "B") == "'not-an-email' is not an email address"
    assert root.refused("customer", "create", "--email", "a@example.com", "--type", "bank") == (
        "a bank needs a company name")
    assert root.refused("customer", "show", "12345") == "'12345' is not a valid customer id (a UUID)"
    assert root.refused("customer", "show", "nobody@example.com") == "there is no customer nobody@example.com"
    wrong_type = lana("--as", root.email, "customer", "create", "--email", "a@example.com", "--type", "alien",
                      env=root.env, check=False)
    assert wrong_type.returncode == 2 and "'alien' is not one of" in wrong_type.stderr


def test_a_customer_closes_only_after_their_accounts_are_closed(root):
    jane = root.json("customer", "create", "--email", "jane@example.com", "--type", "individual",
                     "--first-name", "Jane", "--last-name", "Doe")
    account = root.json("deposit", "open", jane["id"], "--reference", "JANE-1")
    assert root.refused("customer", "close", jane["id"]) == "the customer still has 1 deposit account(s) not closed"
    assert root.json("deposit", "close", account["id"])["status"] == "closed"
    assert root.json("customer", "close", jane["id"])["status"] == "closed"
    assert root.refused("deposit", "open", jane["id"]) == "customer jane@example.com is closed: no new products"
