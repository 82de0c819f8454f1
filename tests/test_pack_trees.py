"""What packgen puts right in a structure tree it has read."""

from __future__ import annotations


def test_a_header_cell_beside_data_cells_is_scoped_to_its_row() -> None:
    from pypdf.generic import DictionaryObject, NameObject

    from packgen.pack.trees import Element, Structure, scope_row_headers

    def cell(role: str, scope: str | None = None) -> Element:
        attributes = {NameObject("/S"): NameObject(role)}
        if scope:
            table = {
                NameObject("/O"): NameObject("/Table"),
                NameObject("/Scope"): NameObject(scope),
            }
            attributes[NameObject("/A")] = DictionaryObject(table)
        return Element(attributes, 0)

    cells = [cell("/TH", "/Column"), cell("/TH", "/Column"), cell("/TH", "/Column"), cell("/TD")]
    cells += [cell("/TH"), cell("/TD")]
    rows = [Element({NameObject("/S"): NameObject("/TR")}, 0, [("element", i) for i in (0, 1)])]
    rows += [Element({NameObject("/S"): NameObject("/TR")}, 0, [("element", i) for i in (2, 3)])]
    rows += [Element({NameObject("/S"): NameObject("/Row")}, 0, [("element", i) for i in (4, 5)])]
    found = Structure(
        cells + rows, [6, 7, 8], [0], {}, {}, 0,
        DictionaryObject({NameObject("/Row"): NameObject("/TR")}), DictionaryObject(), None,
    )  # fmt: skip
    scope_row_headers(found)
    scopes = [c.attributes.get("/A", {}).get("/Scope") for c in cells]
    # A heading row keeps its scope; a label beside a value heads its row (a role-mapped row too).
    assert scopes == ["/Column", "/Column", "/Row", None, "/Row", None]
