import pytest

from lana_core.accounting.chart import default_chart_csv
from lana_core.accounting.chart_csv import ChartCsvError, parse_chart_csv
from lana_core.ledger import Direction

SAMPLE = """
1,,,Assets,Debit
11,,,Current Assets,
,01,,Cash and Equivalents,
,,0101,Operating Cash,
,02,,Receivables,
,,0201,Interest Receivable,,
12,,,Non-Current Assets,

2,,,Liabilities,Credit
7,,,Other Income and Expenses,
"""


def test_sections_inherit_from_the_previous_row_and_nest_under_their_parent():
    nodes = {n.code: n for n in parse_chart_csv(SAMPLE)}
    assert list(nodes) == ["1", "11", "11.01", "11.01.0101", "11.02", "11.02.0201", "12", "2", "7"]
    assert nodes["11.02.0201"].parent_code == "11.02"
    assert nodes["11.02"].parent_code == "11"
    assert nodes["11"].parent_code == "1"
    assert nodes["12"].parent_code == "1"
    assert nodes["11.02.0201"].name == "Interest Receivable"
    assert nodes["11.02.0201"].line == 7


def test_children_take_their_parents_normal_balance_and_bare_top_levels_are_credit():
    nodes = {n.code: n for n in parse_chart_csv(SAMPLE)}
    assert nodes["11.01.0101"].normal_balance is Direction.DEBIT
    assert nodes["7"].normal_balance is Direction.CREDIT


def test_a_child_may_name_its_own_normal_balance():
    nodes = parse_chart_csv("1,,Assets,Debit\n,19,Loan loss allowance,Credit\n")
    assert nodes[1].code == "1.19" and nodes[1].normal_balance is Direction.CREDIT


def test_the_default_chart_is_valid_and_covers_every_statement_category():
    nodes = {n.code: n for n in parse_chart_csv(default_chart_csv())}
    tops = {code: n.normal_balance for code, n in nodes.items() if n.parent_code is None}
    assert tops == {
        "1": Direction.DEBIT, "2": Direction.CREDIT, "3": Direction.CREDIT, "4": Direction.CREDIT,
        "5": Direction.DEBIT, "6": Direction.DEBIT, "7": Direction.DEBIT, "8": Direction.CREDIT,
    }
    assert nodes["32.01"].parent_code == "32" and nodes["21.01.0107"].parent_code == "21.01"


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("1,,,Assets,Debit\n11,,,Cash,Sideways\n", 2, "normal balance must be Debit or Credit, got 'Sideways'"),
        ("1,,,Assets,Debit\n1a,,,Cash\n", 2, "code section '1a' must contain digits only"),
        ("1,,,Assets,Debit\n,,,Cash\n", 2, "missing account code before 'Cash'"),
        ("1,,,Assets,Debit\n11,,,,\n", 2, "missing account name"),
        ("1,,,Assets,Debit\n1,,,Assets again,\n", 2, "code 1 is already defined on line 1"),
        ("1,,,Assets,Debit\n21,,,Orphan,\n", 2, "code 21 has no parent"),
        ("1,,,Assets,Debit\n,,01,Too deep,\n", 2, "previous row has only 1 section"),
        ("1,,,Assets,Debit\n11,,01,Gap,\n", 2, "must be contiguous"),
        ("1,,,Assets,Debit,Credit\n", 1, "unexpected value 'Credit' after the normal balance"),
        ("12,,,Not top level,\n", 1, "code 12 has no parent"),
    ],
)
def test_a_malformed_row_is_refused_with_its_line_and_reason(text, line, reason):
    with pytest.raises(ChartCsvError) as caught:
        parse_chart_csv(text, source="coa.csv")
    problem = caught.value.problems[0]
    assert problem.line == line
    assert reason in problem.reason
    assert str(caught.value).startswith(f"coa.csv is not a valid chart of accounts: line {line}: ")


def test_every_bad_line_is_reported():
    with pytest.raises(ChartCsvError) as caught:
        parse_chart_csv("1,,,Assets,Debit\n11,,,Cash,Wrong\n2x,,,Bad\n31,,,Orphan\n")
    assert [p.line for p in caught.value.problems] == [2, 3, 4]


def test_an_empty_file_is_refused():
    with pytest.raises(ChartCsvError, match="defines no accounts"):
        parse_chart_csv("\n ,, \n")
