"""Scoring new rows with a fitted pipeline: the column check, typing as the model takes its
inputs (declared tokens, junk tokens, text codes), predictions and class probabilities."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import Pipeline

from pipeline.data.scoring import (
    check_columns,
    input_columns,
    is_classifier,
    model_rows,
    numeric_inputs,
    predictions,
    text_inputs,
)
from pipeline.errors import DataError
from tests.pipeline.tables import fitted_pipeline


@pytest.fixture(scope="module")
def classifier() -> Pipeline:
    return fitted_pipeline()


def _rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "x1": [0.5, -1.0, 2.0],
            "x2": ["10.5", "?", "9"],  # read as text: one junk token
            "colour": ["red", None, "purple"],  # missing and unseen levels
            "code": [7, 7, 7],  # read as numbers: the model knows the level "7"
            "amount": [1.0, 2.0, 3.0],
        }
    )


def test_the_model_knows_its_inputs_and_their_roles(classifier: Pipeline) -> None:
    assert input_columns(classifier) == ["x1", "x2", "colour", "code", "amount"]
    assert numeric_inputs(classifier) == {"x1", "x2", "amount"}
    assert text_inputs(classifier) == {"colour", "code"}
    assert is_classifier(classifier)
    assert not is_classifier(fitted_pipeline(target="amount", task="regression"))


def test_rows_are_typed_as_the_model_takes_them(classifier: Pipeline) -> None:
    X, notes = model_rows(classifier, _rows(), source="new.csv")
    assert X["x2"].dtype == np.float64
    assert X["x2"].isna().tolist() == [False, True, False]
    assert X["code"].tolist() == ["7", "7", "7"]
    assert notes == ["column 'x2': 1 value(s) read as missing: '?' (1)"]
    same = _rows().assign(x2=[10.5, np.nan, 9.0], code=["7", "7", "7"])
    expected = classifier.predict(same)
    assert predictions(classifier, X)["prediction"].tolist() == list(expected)


def test_declared_tokens_are_missing_without_a_notice(classifier: Pipeline) -> None:
    rows = _rows().assign(x2=["10.5", "-999", "9"])
    X, notes = model_rows(classifier, rows, source="new.csv", na_values=["-999"])
    assert X["x2"].isna().tolist() == [False, True, False]
    assert notes == []


@pytest.mark.parametrize(
    "values",
    [["1", "a", "b", "c", "d", "e", "f"], ["1", "a very long sentence", "2", "3", "4", "5", "6"]],
)
def test_text_in_a_numeric_input_beyond_junk_is_an_error(
    classifier: Pipeline, values: list[str]
) -> None:
    rows = pd.concat([_rows()] * 3, ignore_index=True).iloc[: len(values)]
    rows = rows.assign(x2=values)
    with pytest.raises(DataError, match=r"^new.csv: column 'x2' holds numbers for the model but"):
        model_rows(classifier, rows, source="new.csv")


def test_probabilities_per_class(classifier: Pipeline) -> None:
    X, _ = model_rows(classifier, _rows(), source="new.csv")
    out = predictions(classifier, X, proba=True)
    assert list(out.columns) == ["prediction", "proba_no", "proba_yes"]
    assert np.allclose(out[["proba_no", "proba_yes"]].sum(axis=1), 1.0)
    assert np.array_equal(out[["proba_no", "proba_yes"]].to_numpy(), classifier.predict_proba(X))


def test_columns_that_do_not_match_are_named_in_one_line(classifier: Pipeline) -> None:
    rows = _rows().drop(columns=["colour", "code"]).assign(zip=1, label="yes", id=3)
    with pytest.raises(DataError) as caught:
        check_columns(classifier, rows, ["label", "id"], "new.csv")
    assert str(caught.value) == (
        "new.csv: the columns do not match the model's 5 input columns: "
        "missing columns 'colour', 'code'; extra column 'zip'"
    )
    check_columns(classifier, _rows().assign(label="no"), ["label"], "new.csv")  # no error
