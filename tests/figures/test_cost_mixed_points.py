"""The cost estimate compares points whose coordinates mix numbers, text and None (paper 3's kinds, no ``d``)."""

from iclsym.figures.cost import _distance


def test_distance_with_mixed_coordinate_types():
    a = ("deep_train", ("setting", "iso"), ("alpha", 2.0), ("width", None), ("L", 4))
    b = ("deep_train", ("setting", "iso"), ("alpha", 20.0), ("width", 8), ("L", 4))
    assert _distance(a, a) == 0.0
    # one decade in alpha (1) plus a number against None (100)
    assert abs(_distance(a, b) - 101.0) < 1e-6
