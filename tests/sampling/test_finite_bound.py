"""The finite-population (hypergeometric) upper bound used to conclude an audit."""
import pytest

from supervision.standard import sampling as s


@pytest.mark.parametrize("n_pop", [100, 300, 450, 1000, 5000])
def test_a_sample_sized_for_the_population_passes_with_no_deviation(n_pop):
    n = s.sample_size(0.95, 0.05, 0, population=n_pop)
    assert s.hypergeometric_upper(0, n, n_pop) <= 0.05
    assert s.hypergeometric_upper(0, n - 1, n_pop) >= 0.05  # one item fewer cannot rule the tolerable rate out


def test_known_values_and_convergence_to_clopper_pearson():
    assert s.hypergeometric_upper(0, 45, 100) == pytest.approx(0.04)
    assert s.hypergeometric_upper(0, 54, 450) == pytest.approx(22 / 450)
    assert s.hypergeometric_upper(0, 59, 10**6) == pytest.approx(s.clopper_pearson_upper(0, 59), abs=1e-5)
    assert s.hypergeometric_upper(3, 100, 10**6) == pytest.approx(s.clopper_pearson_upper(3, 100), abs=1e-4)
    assert s.hypergeometric_upper(10, 10, 10) == 1.0  # a census with every item deviating


def test_evaluate_finite_sample_reports_both_bounds():
    result, cp = s.evaluate_finite_sample(54, 0, 450)
    assert result.control_effective and result.conclusion == "控制有效"
    assert cp == pytest.approx(s.clopper_pearson_upper(0, 54)) and cp > 0.05


def test_input_checks():
    with pytest.raises(ValueError, match="不得大于总体数量"):
        s.hypergeometric_upper(0, 101, 100)
    with pytest.raises(ValueError, match="不得大于样本量"):
        s.hypergeometric_upper(5, 4, 100)
