from mailflow.mail.charsets import decode_text

POLISH = "Zażółć gęślą jaźń – cena 12 300,00 zł"


def test_it_decodes_iso_8859_2_as_labelled() -> None:
    assert decode_text(POLISH.replace("–", "-").encode("iso-8859-2"), "iso-8859-2") == (
        POLISH.replace("–", "-"),
        None,
    )


def test_it_decodes_windows_1250_as_labelled() -> None:
    assert decode_text(POLISH.encode("cp1250"), "windows-1250") == (POLISH, None)


def test_it_reads_windows_1250_mislabelled_as_iso_8859_2() -> None:
    # ś and ź are 0x9C and 0x9F in windows-1250: C1 controls in ISO-8859-2.
    text, note = decode_text("Cześć, źle oznaczone".encode("cp1250"), "iso-8859-2")
    assert text == "Cześć, źle oznaczone"
    assert note == "text labelled iso-8859-2 is windows-1250"


def test_it_reads_utf8_sent_under_a_careless_us_ascii_label() -> None:
    text, note = decode_text(POLISH.encode("utf-8"), "us-ascii")
    assert text == POLISH
    assert note is not None and "UTF-8" in note


def test_it_reads_unlabelled_utf8_without_a_note() -> None:
    assert decode_text(POLISH.encode("utf-8"), None) == (POLISH, None)


def test_it_guesses_an_unknown_charset_label_instead_of_failing() -> None:
    text, note = decode_text(POLISH.encode("utf-8"), "x-unknown-charset")
    assert text == POLISH
    assert note is not None


def test_it_decodes_invalid_bytes_under_a_strict_label_by_guessing() -> None:
    data = ("Dzień dobry, oferujemy badanie za " * 5).encode("cp1250")
    text, note = decode_text(data, "utf-8")
    assert "Dzień" in text
    assert note is not None
