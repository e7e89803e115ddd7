def test_posts_without_an_author_export_with_no_pseudonym():
    from outagewatch.export.pseudonymise import AuthorPseudonymiser, export_author_id

    rekey = AuthorPseudonymiser("salt")
    assert rekey(None) is None
    assert rekey(float("nan")) is None  # what a pandas column holds for a missing author
    assert export_author_id("salt", float("nan")) is None
    assert rekey("abc") == export_author_id("salt", "abc")
