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

import array
import math

import numpy as np

__all__ = ["as_values", "as_pair", "as_number", "as_positive", "as_count", "per_sample_factor",
           "ensure_finite", "too_large", "same_kind", "brief"]


def as_values(name, value, scalar=True):
    """``value`` as finite float64: a scalar (if allowed), a 1-D array or an (n, 1) column."""
    if type(value) is np.ndarray and value.dtype.char == "d" and value.ndim == 1:
        arr = value  # the common case, checked in a few microseconds: train calls this each epoch
    else:
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
    if not np.isfinite(arr).all():
        first = int(np.argmax(~np.isfinite(arr.ravel())))
        raise ValueError(f"{name} must be finite, but holds {arr.ravel()[first]} at index {first}")
    return arr


def _numeric(name, value):
    """``value`` as a float64 array, converted once, here: a number too large for float64 (a
    Python int, a Fraction, a longdouble) is refused by name, not left to overflow later."""
    if value is None or isinstance(value, str | dict | set):
        raise TypeError(f"{name} must be numbers, got {type(value).__name__}")
    if isinstance(value, np.ma.MaskedArray):
        raise TypeError(f"{name} is a masked array, whose mask would be ignored: pass "
                        f"{name}.compressed() or {name}.filled(...) instead")
    odd = _first_odd(value)
    if odd is not None:
        raise TypeError(_odd_message(name, odd))
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
            raise ValueError(_beyond_float64(name, arr.ravel()[i], i, arr.ndim))
    return out


def _first_odd(value, depth=0):
    """A bool or a bytes-like object in ``value``, if there is one, else None. numpy would read
    ``[1.0, True]`` as ``[1.0, 1.0]`` and ``bytearray(b"12")`` as the numbers ``[49, 50]``."""
    if isinstance(value, bool | np.bool_) or _bytes_like(value):
        return value
    if isinstance(value, np.ndarray):
        return value if value.dtype.kind == "b" else None
    if not isinstance(value, list | tuple) or depth >= 32:  # numpy refuses deeper nesting
        return None
    kinds = set(map(type, value))  # one fast pass over a long flat list
    if kinds <= _PLAIN:
        return None
    for v in value:  # rarely reached: a list of lists, or of unusual numbers
        odd = _first_odd(v, depth + 1)
        if odd is not None:
            return odd
    return None


_PLAIN = {float, int, np.float64, np.float32, np.int64, np.int32}  # never odd: no walk needed
_BYTES_LIKE = (bytes, bytearray, memoryview, array.array, np.void)


def _bytes_like(value):
    """Raw memory rather than numbers: bytes, bytearray, memoryview, array.array, np.void, and
    any other object with the buffer protocol that is not a numpy array or number."""
    if isinstance(value, _BYTES_LIKE):
        return True
    if isinstance(value, np.ndarray | np.generic | int | float | list | tuple):
        return False
    try:
        memoryview(value)
    except TypeError:
        return False
    return True


def _odd_message(name, odd):
    if _bytes_like(odd):
        return (f"{name} must be numbers, got {type(odd).__name__} (raw bytes, not numbers: "
                f"pass a list or an array of numbers, e.g. np.frombuffer(..., dtype=float))")
    return f"{name} must hold real numbers, not bools: got {odd!r:.60}"


def _float(name, value, index, ndim):
    """One element of an object array as a float, or an error naming ``name``."""
    if isinstance(value, bool | np.bool_ | complex | np.complexfloating | str) or _bytes_like(
            value):  # float(b"12") is 12.0: bytes are refused as numbers
        raise TypeError(f"{name} must hold real numbers only, got {value!r:.40}")
    try:
        number = float(value)
    except OverflowError:
        raise ValueError(_beyond_float64(name, value, index, ndim)) from None
    except (TypeError, ValueError):
        raise TypeError(f"{name} must hold numbers only, got {value!r:.40}") from None
    if math.isinf(number) and value != number:  # Decimal("1e400") becomes inf silently
        raise ValueError(_beyond_float64(name, value, index, ndim))
    return number


def _beyond_float64(name, value, index, ndim):
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
    if type(value) is float and math.isfinite(value):  # the common case, in a microsecond
        return value
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
    """Raise ``ValueError("<where>: <why>")`` unless every number in ``value`` is finite.
    ``why`` (a string, or a function making it only when needed) names the
    argument(s) whose size caused an overflow (see ``too_large``)."""
    if type(value) is float:  # scalars, as train's loop passes them, checked fast
        if math.isfinite(value):
            return
    elif isinstance(value, tuple) and all(type(v) is float for v in value):
        if all(map(math.isfinite, value)):
            return
    elif np.isfinite(value).all():
        return
    raise ValueError(f"{where}: {why() if callable(why) else why}")


def too_large(**values):
    """Which arguments' size makes a computation overflow, as the end of an error message.

    Sums and products of float64 numbers overflow through their largest terms: this names the
    argument holding the largest size, and any other within a factor 1000 of it.

    >>> too_large(w=1.0, b=0.0, x=[1e300, -1e300], y=[0.0, 1.0])
    'x is too large'
    >>> too_large(w=1e200, x=[2e200], y=[0.0])
    'w and x are too large'
    """
    sizes = {name: float(np.max(np.abs(value))) for name, value in values.items()}
    top = max(sizes.values())
    names = [name for name, size in sizes.items() if size >= top / 1000]
    if len(names) == 1:
        return f"{names[0]} is too large"
    return ", ".join(names[:-1]) + f" and {names[-1]} are too large"


def same_kind(arr):
    """A 0-d result as a Python float, an array as an array."""
    return float(arr) if np.ndim(arr) == 0 else arr
