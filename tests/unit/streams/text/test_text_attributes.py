"""Email addresses out of touchpoint attributes; the byte check that lets most records skip it."""

from __future__ import annotations

from streams.text.attributes import may_hold_email, redacted_attributes


def test_emails_go_in_every_form_and_numbers_stay() -> None:
    attributes = {
        "page": "/reset?email=ana.lopez%2Bx@example.com&step=2",
        "referrer": "https://mail.example.com/?to=ana%40example.com&ref=news",
        "wide": "mail ana\uff20example.com",
        "order": "/orders/100234567",
        "note": "call 0712 345 678 or mail ana@example.com",
        "handle": "@ana on social",
    }
    assert redacted_attributes(attributes) == {
        "page": "/reset?email=<email>&step=2",
        "referrer": "https://mail.example.com/?to=<email>&ref=news",
        "wide": "mail <email>",
        "order": "/orders/100234567",
        "note": "call 0712 345 678 or mail <email>",
        "handle": "@ana on social",
    }


def test_bytes_without_an_at_sign_in_any_form_hold_no_email() -> None:
    assert not may_hold_email(b"/orders/100234567 queue=billing 40%")
    assert may_hold_email(b"ana@example.com")
    assert may_hold_email("ana\uff20example.com".encode())
    assert may_hold_email(b"ana%40example.com")
