"""BetaGeoModel and GammaGammaModel: published estimates, lifetimes' predictions, bad input."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import (
    check_get_params_invariance,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
)

from custseg import BetaGeoModel, GammaGammaModel, rfm_table
from custseg.datasets import load_cdnow


def toy_table():
    return pd.DataFrame(
        {
            "frequency": [0, 1, 4, 2, 0, 6, 1, 3, 2, 0],
            "recency": [0, 10, 30, 20, 0, 35, 5, 12, 3, 0],
            "T": [40, 38, 36, 30, 20, 39, 25, 33, 35, 8],
            "monetary_value": [0, 20, 35, 12, 0, 28, 15, 40, 22, 0.0],
        },
        index=pd.Index(list("abcdefghij"), name="customer_id"),
    )


@pytest.fixture(scope="module")
def cdnow_weekly(cdnow_sample_path):
    log = load_cdnow(cdnow_sample_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # later transactions excluded, counted
        return rfm_table(
            log,
            customer_col="sample_id",
            definition="btyd",
            reference_date="1997-09-30",
            time_scaler=7,
        )


@pytest.fixture(scope="module")
def cdnow_summary(cdnow_summary_path):
    s = pd.read_csv(cdnow_summary_path)
    return pd.DataFrame(
        {
            "frequency": s["x"],
            "recency": s["t_x"],
            "T": s["T"],
            "monetary_value": s["zbar"],
        }
    )


def sig3(value):
    return float(f"{value:.3g}")


class TestPublishedEstimates:
    def test_bgnbd_reproduces_fader_hardie_lee_table_1(self, cdnow_weekly):
        model = BetaGeoModel().fit(cdnow_weekly)
        assert len(cdnow_weekly) == 2357
        got = {k: sig3(v) for k, v in model.params_.items()}
        assert got == {"r": 0.243, "alpha": 4.41, "a": 0.793, "b": 2.43}
        # the paper's 4-digit figures, to 3 significant digits
        for name, published in [
            ("r", 0.243),
            ("alpha", 4.414),
            ("a", 0.793),
            ("b", 2.426),
        ]:
            assert model.params_[name] == pytest.approx(published, rel=5e-3)
        # the paper's log-likelihood
        assert model.log_likelihood_ == pytest.approx(-9582.4, abs=0.05)

    def test_gamma_gamma_reproduces_published_estimates(self, cdnow_summary):
        model = GammaGammaModel().fit(cdnow_summary)
        assert model.n_customers_ == 946
        assert model.n_excluded_ == 2357 - 946
        got = {k: sig3(v) for k, v in model.params_.items()}
        assert got == {"p": 6.25, "q": 3.74, "v": 15.4}
        assert model.params_["v"] == pytest.approx(15.45, abs=0.005)
        # lifetimes' GammaGammaFitter on the same summary
        lifetimes = {"p": 6.2488, "q": 3.7446, "v": 15.4477}
        for name, value in lifetimes.items():
            assert model.params_[name] == pytest.approx(value, rel=2e-5)


@pytest.fixture(scope="module")
def fitted(cdnow_weekly):
    lifetimes = pytest.importorskip("lifetimes")
    theirs = lifetimes.BetaGeoFitter().fit(
        cdnow_weekly["frequency"], cdnow_weekly["recency"], cdnow_weekly["T"]
    )
    return BetaGeoModel().fit(cdnow_weekly), theirs


class TestAgainstLifetimes:
    def test_parameters_and_standard_errors(self, fitted):
        ours, theirs = fitted
        for name in ("r", "alpha", "a", "b"):
            assert ours.params_[name] == pytest.approx(theirs.params_[name], rel=1e-5)
            se = theirs.summary.loc[name, "se(coef)"]
            assert ours.standard_errors_[name] == pytest.approx(se, rel=1e-3)

    @pytest.mark.parametrize("t", [1.0, 10.0, 39.0, 52.0])
    def test_expected_purchases_per_customer(self, fitted, cdnow_weekly, t):
        ours, theirs = fitted
        X = cdnow_weekly
        expected = theirs.conditional_expected_number_of_purchases_up_to_time(
            t, X["frequency"], X["recency"], X["T"]
        )
        np.testing.assert_allclose(
            ours.predict_purchases(X, t), np.asarray(expected), rtol=1e-4
        )

    def test_probability_alive_per_customer(self, fitted, cdnow_weekly):
        ours, theirs = fitted
        X = cdnow_weekly
        expected = theirs.conditional_probability_alive(
            X["frequency"], X["recency"], X["T"]
        )
        np.testing.assert_allclose(
            ours.probability_alive(X), np.asarray(expected), rtol=1e-4
        )

    def test_spend_and_customer_value(self, cdnow_summary):
        lifetimes = pytest.importorskip("lifetimes")
        X = cdnow_summary
        repeat = X[X["frequency"] > 0]
        gg = lifetimes.GammaGammaFitter().fit(
            repeat["frequency"], repeat["monetary_value"]
        )
        bg = lifetimes.BetaGeoFitter().fit(X["frequency"], X["recency"], X["T"])
        model = BetaGeoModel(GammaGammaModel()).fit(X)
        spend = gg.conditional_expected_average_profit(
            X["frequency"], X["monetary_value"]
        )
        np.testing.assert_allclose(model.predict_spend(X), spend, rtol=1e-4)
        clv = gg.customer_lifetime_value(
            bg,
            X["frequency"],
            X["recency"],
            X["T"],
            X["monetary_value"],
            time=12,
            discount_rate=0.01,
            freq="W",
        )
        got = model.customer_value(X, 12 * 4.345, discount_rate=0.01, step=4.345)
        np.testing.assert_allclose(got, np.asarray(clv), rtol=1e-4)


class TestBehaviour:
    def test_hand_worked_no_repeat_customer_is_alive(self):
        X = toy_table()
        model = BetaGeoModel().fit(X)
        alive = model.probability_alive(X)
        assert np.all(alive[X["frequency"].to_numpy() == 0] == 1.0)
        assert np.all((alive > 0) & (alive <= 1))

    def test_expected_purchases_grow_with_horizon(self):
        X = toy_table()
        model = BetaGeoModel().fit(X)
        short, long = model.predict_purchases(X, 5), model.predict_purchases(X, 50)
        assert np.all(long > short) and np.all(short > 0)
        np.testing.assert_allclose(model.predict_purchases(X, 0), 0, atol=1e-12)

    def test_value_is_purchases_times_spend_without_discount(self):
        X = toy_table()
        model = BetaGeoModel(GammaGammaModel(), horizon=26).fit(X)
        table = model.value_table(X)
        assert table.index.equals(X.index)
        np.testing.assert_allclose(
            table["expected_value"],
            table["expected_purchases"] * table["expected_spend"],
            rtol=1e-10,
        )
        discounted = model.customer_value(X, discount_rate=0.05)
        assert np.all(discounted < table["expected_value"].to_numpy())

    def test_polars_table(self):
        pl = pytest.importorskip("polars")
        X = toy_table()
        a = BetaGeoModel().fit(X)
        b = BetaGeoModel().fit(pl.from_pandas(X.reset_index()))
        assert a.params_ == pytest.approx(b.params_, rel=1e-9)

    def test_refit_resets_and_clone_pickle(self):
        X = toy_table()
        model = BetaGeoModel(GammaGammaModel()).fit(X)
        first = dict(model.params_)
        model.fit(X.iloc[:6])
        assert model.n_customers_ == 6 and model.params_ != first
        assert clone(model).get_params()["horizon"] == 52.0
        restored = pickle.loads(pickle.dumps(model))
        np.testing.assert_array_equal(
            restored.predict_purchases(X), model.predict_purchases(X)
        )

    def test_input_not_modified(self):
        X = toy_table()
        before = X.copy()
        BetaGeoModel(GammaGammaModel()).fit(X).value_table(X)
        pd.testing.assert_frame_equal(X, before)


class TestBadInput:
    def test_not_fitted(self):
        with pytest.raises(NotFittedError):
            BetaGeoModel().predict_purchases(toy_table())
        with pytest.raises(NotFittedError):
            GammaGammaModel().predict_spend(toy_table())

    def test_no_T_column_names_the_recipe(self):
        X = toy_table().drop(columns="T")
        with pytest.raises(ValueError, match=r"no column \['T'\].*definition=\"btyd\""):
            BetaGeoModel().fit(X)

    def test_classic_rfm_table_refused(self):
        X = toy_table()
        X.loc["b", "recency"] = 0
        with pytest.raises(
            ValueError, match="1 customers have frequency > 0 but recency 0"
        ):
            BetaGeoModel().fit(X)

    def test_negative_values(self):
        X = toy_table()
        X.loc["c", "T"] = -1
        with pytest.raises(ValueError, match="'T' has 1 negative"):
            BetaGeoModel().fit(X)

    def test_missing_values_and_text(self):
        X = toy_table()
        X.loc["c", "recency"] = np.nan
        with pytest.raises(ValueError, match="'recency' has 1 missing"):
            BetaGeoModel().fit(X)
        X = toy_table().astype({"frequency": object})
        X.loc["a", "frequency"] = "many"
        with pytest.raises(TypeError, match="'frequency' must be numeric"):
            BetaGeoModel().fit(X)

    def test_array_refused(self):
        with pytest.raises(TypeError, match="DataFrame with named columns"):
            BetaGeoModel().fit(toy_table().to_numpy())

    def test_bad_parameters_raise_in_fit(self):
        model = BetaGeoModel(horizon=-1)
        with pytest.raises(ValueError, match="horizon"):
            model.fit(toy_table())
        with pytest.raises(ValueError, match="t must be"):
            BetaGeoModel().fit(toy_table()).predict_purchases(toy_table(), t=-2)

    def test_spend_needs_a_spend_model(self):
        model = BetaGeoModel().fit(toy_table())
        with pytest.raises(ValueError, match="spend_model=GammaGammaModel"):
            model.customer_value(toy_table())

    def test_zero_repeat_spend_warns_with_count(self):
        X = toy_table()
        X.loc["b", "monetary_value"] = 0.0
        with pytest.warns(UserWarning, match="1 customers with repeat purchases"):
            model = GammaGammaModel().fit(X)
        assert model.n_excluded_ == 4
        assert np.isfinite(model.predict_spend(X)).all()


# scikit-learn's common checks fit on random numpy arrays, which these models
# refuse by design (a BTYD table has named columns and non-negative counts);
# the checks that need no fit run here, fitting behaviour is tested above.
@pytest.mark.parametrize(
    "estimator", [BetaGeoModel(GammaGammaModel()), GammaGammaModel()], ids=repr
)
@pytest.mark.parametrize(
    "check",
    [
        check_parameters_default_constructible,
        check_no_attributes_set_in_init,
        check_get_params_invariance,
        check_set_params,
    ],
    ids=lambda c: c.__name__,
)
def test_sklearn_conventions_without_fit(estimator, check):
    check(type(estimator).__name__, clone(estimator))
