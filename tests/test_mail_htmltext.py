from mailflow.mail.htmltext import html_to_text


def test_it_drops_scripts_and_styles() -> None:
    html = "<style>p {color: red}</style><p>Cena</p><script>alert(1)</script>"
    assert html_to_text(html) == "Cena"


def test_it_turns_blocks_and_breaks_into_lines() -> None:
    html = "<div>Dzień dobry,</div><p>cena netto: 12&nbsp;300,00 zł<br>VAT 23%</p>"
    assert html_to_text(html) == "Dzień dobry,\ncena netto: 12\xa0300,00 zł\nVAT 23%"


def test_it_prefixes_blockquotes_so_quoted_history_stays_quoted() -> None:
    html = "<p>Zatwierdzam</p><blockquote type='cite'><p>ZWRACAM – jeżeli…</p></blockquote>"
    assert html_to_text(html).splitlines() == ["Zatwierdzam", "", "> ZWRACAM – jeżeli…", ">"]


def test_it_keeps_table_cells_apart() -> None:
    html = "<table><tr><td>Cena netto</td><td>13 900,00 zł</td></tr></table>"
    assert html_to_text(html) == "Cena netto\t13 900,00 zł"


def test_it_bullets_list_items() -> None:
    assert html_to_text("<ul><li>netto</li><li>brutto</li></ul>") == "• netto\n• brutto"


def test_it_reads_outlook_paragraphs_as_lines_and_empty_ones_as_blank_lines() -> None:
    html = (
        '<html xmlns:w="urn:schemas-microsoft-com:office:word"><body>'
        '<p class="MsoNormal">Dzień dobry,<o:p></o:p></p>'
        '<p class="MsoNormal"><o:p>&nbsp;</o:p></p>'
        '<p class="MsoNormal">Cena netto: 9 000,00 zł<o:p></o:p></p>'
        '<p class="MsoNormal">Cena brutto: 11 070,00 zł<o:p></o:p></p></body></html>'
    )
    assert (
        html_to_text(html) == "Dzień dobry,\n\nCena netto: 9 000,00 zł\nCena brutto: 11 070,00 zł"
    )
