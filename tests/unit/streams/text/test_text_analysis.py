from __future__ import annotations

import logging

import pytest

from streams.text import CommentAnalysis, analyse_comment


def test_analysis_works_on_the_redacted_text_only() -> None:
    result = analyse_comment("Refund to jane@example.com please, call 0712 345 678", None)
    assert result == CommentAnalysis(
        "Refund to <email> please, call <phone>", "en", ("billing",), {"email": 1, "phone": 1}
    )


def test_no_personal_data_in_the_result_or_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    comment = "Kadi 4111 1111 1111 1111 ilitozwa mara mbili, niandikie juma@example.com"
    with caplog.at_level(logging.DEBUG):
        result = analyse_comment(comment, None)
    assert result.redacted_text == "Kadi <card> ilitozwa mara mbili, niandikie <email>"
    assert result.language == "sw"
    assert result.themes == ("billing",)
    for secret in ("4111", "juma", "example.com"):
        assert secret not in repr(result)
        assert secret not in caplog.text


def test_a_given_language_is_used_and_normalised() -> None:
    # Given as Filipino, read with the Tagalog lexicon, without detection.
    result = analyse_comment("Ang bagal", "fil-PH")
    assert (result.language, result.themes) == ("tl", ("waiting_time",))


def test_an_invalid_language_is_detected_instead() -> None:
    result = analyse_comment("Nilisubiri kwa muda mrefu sana kabla ya kuhudumiwa", "unknown")
    assert (result.language, result.themes) == ("sw", ("waiting_time",))


def test_an_empty_comment() -> None:
    assert analyse_comment("", None) == CommentAnalysis("", "und", (), {})


def test_detection_is_restricted_to_the_given_languages() -> None:
    assert analyse_comment("Le service client est vraiment nul", None).language == "und"
    assert (
        analyse_comment("Le service client est vraiment nul", None, ("en", "fr")).language == "fr"
    )
    # A language the record carries is kept whatever the configuration.
    assert analyse_comment("Le service client est vraiment nul", "fr-CA").language == "fr"
