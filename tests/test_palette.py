"""The course's colours stay apart for learners with the common forms of colour blindness.

Every pair of ``nc.COLORS`` is compared as seen with normal vision and as simulated for
protanopia, deuteranopia and tritanopia (Machado, Oliveira and Fernandes 2009, full severity,
applied in linear RGB), by their distance in CIELAB (ΔE*ab, 1976). A ΔE of about 2.3 is just
noticeable; 15 is told apart at a glance, also for a thin line against a white background. The
former palette (matplotlib's tab:orange and tab:green) fell to 4.6 under protanopia.
"""

import itertools

import numpy as np
import pytest
from matplotlib.colors import to_rgb

import neuron_core as nc

AT_A_GLANCE = 15.0

# Machado et al. (2009), Table 2 at severity 1.0: linear RGB -> linear RGB.
SIMULATIONS = {
    "normal vision": np.eye(3),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779],
                            [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}


def linear(srgb):
    srgb = np.asarray(srgb)
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def lab(rgb_linear):
    """CIELAB (D65) of a linear sRGB colour."""
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ rgb_linear
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def seen(color, simulation):
    return lab(np.clip(SIMULATIONS[simulation] @ linear(to_rgb(color)), 0, 1))


def test_lab_conversion_matches_known_values():
    np.testing.assert_allclose(lab(linear([1.0, 1.0, 1.0])), [100, 0, 0], atol=0.05)
    np.testing.assert_allclose(lab(linear([1.0, 0.0, 0.0])), [53.24, 80.09, 67.20], atol=0.1)


def test_the_simulations_merge_what_they_should():
    """The classic confusion: red and green look alike without L or M cones."""
    red, green = "#FF0000", "#00A000"
    normal = np.linalg.norm(seen(red, "normal vision") - seen(green, "normal vision"))
    for simulation in ("protanopia", "deuteranopia"):
        assert np.linalg.norm(seen(red, simulation) - seen(green, simulation)) < normal / 3


@pytest.mark.parametrize("simulation", list(SIMULATIONS))
def test_every_pair_of_course_colours_stays_apart(simulation):
    close = []
    for (a, ca), (b, cb) in itertools.combinations(nc.COLORS.items(), 2):
        distance = float(np.linalg.norm(seen(ca, simulation) - seen(cb, simulation)))
        if distance < AT_A_GLANCE:
            close.append(f"{a} and {b}: ΔE {distance:.1f}")
    assert not close, f"with {simulation}, too alike: {close}"
