"""Input checking for the One Neuron course: bad input becomes a clear error naming the argument.

Every public function of ``neuron_core`` (and the plots, explorers and checkers) turns its
arguments into plain float64 numbers through these helpers, once, at the entry, in the manner of
scikit-learn's ``utils/validation.py``: a ``TypeError`` for the wrong kind of thing, a
``ValueError`` for the wrong value, each naming the argument and what was expected.

>>> as_number("lr", "0.1")
Traceback (most recent call last):
    ...
TypeError: lr must be numbers, got str
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["as_values", "as_pair", "as_number", "as_positive", "as_count", "per_sample_factor",
           "ensure_finite", "same_kind", "brief"]



def as_values(name, value, scalar=True):
    """``value`` as finite float64: a scalar (if allowed), a 1-D array or an (n, 1) column."""
    arr = _numeric(name, value)
    if arr.ndim == 0:
        if not scalar:
            raise ValueError(f"{name} must be a 1-D array of samples, got a single number")
    elif arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    elif arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D (or a column of shape (n, 1)), got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty: it needs at least one value")
    bad = ~np.isfinite(arr)
    if bad.any():
        first = int(np.argmax(bad.ravel()))
        raise ValueError(f"{name} must be finite, but holds {arr.ravel()[first]} at index {first}")
    return arr


def _numeric(name, value):
    """``value`` as a float64 array, converted once, here: a number too large for float64 (a
    Python int, a Fraction, a longdouble) is refused by name, not left to overflow later."""
    if value is None or isinstance(value, str | bytes | dict | set):
        raise TypeError(f"{name} must be numbers, got {type(value).__name__}")
    if isinstance(value, np.ma.MaskedArray):
        raise TypeError(f"{name} is a masked array, whose mask would be ignored: pass "
                        f"{name}.compressed() or {name}.filled(...) instead")
    if _holds_bool(value):
        raise TypeError(f"{name} must hold real numbers, not bools: got {value!r:.60}")
    try:
        arr = np.asarray(value)
    except ValueError as err:  # ragged lists
        raise ValueError(f"{name} must be a flat list or array of numbers ({err})") from None
    if arr.dtype.kind not in "iufO":
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    if arr.dtype.kind == "O":  # Python ints beyond int64, Fractions, Decimals, mixed lists
        flat = [_float(name, v, i, arr.ndim) for i, v in enumerate(arr.flat)]
        return np.array(flat, dtype=np.float64).reshape(arr.shape)
    with np.errstate(all="ignore"):  # a longdouble beyond float64 becomes inf, without warning
        out = arr.astype(np.float64, copy=False)
    if arr.dtype.kind == "f" and arr.dtype.itemsize > 8:
        lost = np.isinf(out) & np.isfinite(arr)
        if lost.any():
            i = int(np.argmax(lost.ravel()))
            raise ValueError(_too_large(name, arr.ravel()[i], i, arr.ndim))
    return out


def _holds_bool(value, depth=0):
    """Is there a bool anywhere in ``value``? ``[1.0, True]`` would become ``[1.0, 1.0]``."""
    if isinstance(value, bool | np.bool_):
        return True
    if isinstance(value, np.ndarray):
        return value.dtype.kind == "b"
    if not isinstance(value, list | tuple) or depth >= 32:  # numpy refuses deeper nesting
        return False
    kinds = set(map(type, value))  # one fast pass over a long flat list
    if bool in kinds or np.bool_ in kinds:
        return True
    if any(issubclass(kind, list | tuple | np.ndarray) for kind in kinds):
        return any(_holds_bool(v, depth + 1) for v in value)
    return False


def _float(name, value, index, ndim):
    """One element of an object array as a float, or an error naming ``name``."""
    if isinstance(value, bool | np.bool_ | complex | np.complexfloating | str | bytes):
        raise TypeError(f"{name} must hold real numbers only, got {value!r:.40}")
    try:
        number = float(value)
    except OverflowError:
        raise ValueError(_too_large(name, value, index, ndim)) from None
    except (TypeError, ValueError):
        raise TypeError(f"{name} must hold numbers only, got {value!r:.40}") from None
    if math.isinf(number) and value != number:  # Decimal("1e400") becomes inf silently
        raise ValueError(_too_large(name, value, index, ndim))
    return number


def _too_large(name, value, index, ndim):
    where = f" at index {index}" if ndim else ""
    return (f"{name} holds {brief(value)}{where}: too large for float64 "
            f"(whose largest number is about 1.8e308)")


def brief(value):
    """A number for a message, shortened: ``10**400`` is not printed with its 401 digits."""
    text = str(value)
    return text if len(text) <= 24 else f"{text[:12]}... ({len(text)} characters)"


def as_pair(x, y, names=("x", "y")):
    """Two 1-D sample arrays of the same length."""
    x, y = as_values(names[0], x, scalar=False), as_values(names[1], y, scalar=False)
    if len(x) != len(y):
        raise ValueError(f"{names[0]} and {names[1]} must have the same length, "
                         f"got {len(x)} and {len(y)}")
    return x, y


def as_number(name, value):
    """A finite real number (a size-1 array, as the article's ``w`` is, is accepted)."""
    if isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be a number, got a bool")
    arr = _numeric(name, value)
    if arr.size != 1:
        raise ValueError(f"{name} must be a single number, got shape {arr.shape}")
    number = float(arr.reshape(-1)[0])
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite, got {number}")
    return number


def as_positive(name, value):
    number = as_number(name, value)
    if number <= 0:
        raise ValueError(f"{name} must be a positive number, got {number:g}")
    return number


def as_count(name, value, minimum=0, maximum=None):
    """A whole number from ``minimum`` to ``maximum``; bools and floats such as 10.0 are refused.
    The upper bound is checked before anything is allocated or looped over."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be a whole number (int), got {value!r:.40}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {brief(value)}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum:_}, got {brief(value)}")
    return int(value)


def per_sample_factor(reduction, n):
    """The gradient's factor per sample: ``2/n`` for the mean, ``2`` for the sum."""
    if reduction == "mean":
        return 2.0 / n
    if reduction == "sum":
        return 2.0
    raise ValueError(f"reduction must be 'mean' or 'sum', got {reduction!r}")


def ensure_finite(value, where, why):
    if not np.isfinite(value).all():
        raise ValueError(f"{where}: {why}")


def same_kind(arr):
    """A 0-d result as a Python float, an array as an array."""
    return float(arr) if np.ndim(arr) == 0 else arr
