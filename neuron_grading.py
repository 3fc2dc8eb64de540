"""Grading with nbgrader: the hidden tests of the check cells, and what they call.

The build script (``scripts/editions.py``) puts ``hidden_test_source(check, function)`` between
``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS`` in each check cell of the nbgrader source.
At autograde time those lines run in the learner's kernel, in the notebook's folder, after all
of the learner's cells. They::

    with open("neuron_grading.py", encoding="utf-8") as _file:  # this file, read afresh
        _grading = {"__name__": "neuron_grading_pristine"}
        exec(compile(_file.read(), "neuron_grading.py", "exec"), _grading)
    _grade = _grading["grade"]
    del _grading, _file
    # (two lines of comment for the learner)
    _passed, _verdict = _grade(
        "check_forward", globals().get("my_forward"),
        "my_forward", "<digest>")
    assert _passed, _verdict

so the cell scores only if the answer is right, and nbgrader's feedback shows the verdict and
its hint as the assertion's message; the traceback's few lines of context are the comment and
the call, not the library. ``grade`` re-checks the learner's function with pristine
copies of the course's checking code and data:

* ``neuron_validation``, ``neuron_core`` and ``neuron_checks`` are compiled from their files, not
  taken from ``sys.modules``, where an answer cell may have patched them (``nc.check_forward =
  ...``, ``neuron_checks._close = ...``); the files must be those the assignment was built with
  (their digest is in the hidden test: an answer cell that rewrites them is caught);
* the cases are not the visible check's: another seed draws the unguessable numbers, so a
  function that recorded what the visible check printed learns nothing;
* two fresh copies do the work: the first calls the learner's function (under ``TIME_LIMIT``
  seconds per call) and keeps only plain numbers; the second is made after the learner's code
  last ran, computes the expected values and judges. Whatever the learner's function patched in
  the first copy (it can reach it through the call stack) is not in the second; while the
  second judges, other threads are held off (``sys.setswitchinterval``);
* ``check_settings`` trains on the course's data from the fresh ``neuron_core``, never on the
  notebook's ``x`` and ``y``;
* numpy, math and Python's builtins must still be their packages' own (``np.allclose = lambda
  *a, **k: True`` in an answer cell is refused); the learner's objects due to be freed are
  freed before the judging, and the garbage collector is off while it judges (a ``__del__``
  cannot run in the middle of it);
* nothing reads the environment, so setting or popping variables changes nothing.

What an in-kernel grader cannot prevent (say so to instructors): code that runs in the same
process can always reach further than any check, e.g. through ``ctypes`` (memory), audit hooks
(``sys.addaudithook``), replaced import machinery or ``os`` functions, or a function whose code
claims to come from numpy's files; ``os._exit()`` ends the kernel; a loop inside one C call
(``sum(itertools.count())``) cannot be interrupted (nbgrader's cell timeout ends it, and the
notebook scores 0). From Python 3.13 on, a frame's ``f_locals`` can be written (PEP 667): a
function that walks the stack could then rebind the grader's local variables, on which the
second phase relies; the course runs on 3.11 (runtime.txt). A class that must be proof against a
determined cheat grades outside the learner's kernel.
"""

from __future__ import annotations

import builtins
import gc
import hashlib
import os
import sys
import sysconfig
import types

__all__ = ["hidden_test_source", "grade", "course_digest", "GRADING_SEED", "TIME_LIMIT"]

GRADING_SEED = 71309  # the hidden tests' unguessable cases (the visible checks use another seed)
TIME_LIMIT = 5.0  # seconds per call of the learner's function while grading
MODULES = ("neuron_validation", "neuron_core", "neuron_checks")  # in import order
FILES = (*MODULES, "neuron_grading")
CHECKS = ("check_unscale", "check_predict_fahrenheit", "check_forward", "check_mse",
          "check_best_bias", "check_nudge_b", "check_gradients", "check_rmse_gradients",
          "check_step", "check_threshold", "check_balanced_scale", "check_settings")

_SOURCE = '''\
# Graded by a fresh copy of the course's checking code (neuron_grading.py), not the notebook's
with open("neuron_grading.py", encoding="utf-8") as _file:
    _grading = {{"__name__": "neuron_grading_pristine"}}
    exec(compile(_file.read(), "neuron_grading.py", "exec"), _grading)
_grade = _grading["grade"]
del _grading, _file
# The check above printed its verdict on your function; grading checks it again, on other
# cases, and this cell scores only if it is right.
_passed, _verdict = _grade(
    {check!r}, globals().get({function!r}),
    {function!r}, {digest!r})
assert _passed, _verdict'''


def hidden_test_source(check_name, function_name, digest=True):
    """The lines of a check cell's hidden tests (without nbgrader's BEGIN/END markers).

    Parameters
    ----------
    check_name : str
        The checker the visible cell calls, e.g. ``"check_forward"``.
    function_name : str
        The learner's function it checks, e.g. ``"my_forward"``.
    digest : bool
        Embed the digest of the course files next to this one, so that grading refuses files
        changed since the build (by an answer cell, or by an instructor who forgot to rebuild).
    """
    if check_name not in CHECKS:
        raise ValueError(f"check_name must be one of {', '.join(CHECKS)}, got {check_name!r}")
    if not (isinstance(function_name, str) and function_name.isidentifier()):
        raise ValueError(f"function_name must be a Python name, got {function_name!r}")
    here = os.path.dirname(os.path.abspath(__file__))
    stamp = course_digest(_read_sources(here)) if digest else None
    return _SOURCE.format(check=check_name, function=function_name, digest=stamp)


def course_digest(sources):
    """A short digest of the course files' texts (a dict ``name -> text``)."""
    sha = hashlib.sha256()
    for name in FILES:
        sha.update(f"{name}\0{sources[name]}\0".encode())
    return sha.hexdigest()[:16]


def grade(check_name, fn, function_name, digest=None, folder=None):
    """``(passed, verdict)`` for the learner's ``fn``, judged by pristine copies of the course's
    checking code read from ``folder`` (the current directory: the notebook's folder)."""
    mark = "✘"
    if check_name not in CHECKS:
        return False, f"{mark} unknown check {check_name!r}: rebuild the assignment"
    if fn is None:
        return False, (f"{mark} {function_name} is not defined: its cell must define a function "
                       f"with that name")
    folder = os.path.abspath(folder or os.getcwd())
    try:
        sources = _read_sources(folder)
    except OSError as missing:
        return False, f"{mark} a course file is missing next to the notebook: {missing}"
    if digest is not None and course_digest(sources) != digest:
        return False, (f"{mark} the course files (neuron_*.py) are not the ones this assignment "
                       "was built with: an answer cell changed them, or the instructor must "
                       "rebuild the assignment")
    # Phase 2 runs on what exists before the learner's code runs: immutable values (texts,
    # names) and builtins, bound to locals here. Not this module's globals or functions: the
    # learner's function can reach them (they are in the notebook's globals while this runs).
    # Code objects are immutable: compiled once here, each phase executes them into new modules.
    codes = tuple((name, compile(sources[name], path, "exec"), path) for name, path in (
        (name, os.path.join(folder, f"{name}.py")) for name in MODULES))
    exec_, module_type, function_type = exec, types.ModuleType, types.FunctionType
    modules_dict, switch_to, switch = sys.modules, sys.setswitchinterval, sys.getswitchinterval()
    seed, settings = GRADING_SEED, check_name == "check_settings"
    collect, gc_on, gc_off, gc_was = gc.collect, gc.enable, gc.disable, gc.isenabled()
    look, trusted = _tampered.__code__, TRUSTED_MODULES
    look_with = (builtins, os, sys, types, sysconfig)  # its globals' dict is made after phase 1

    checks = _fresh(codes)["neuron_checks"]
    checks.CHECK_SEED, checks.TIME_LIMIT = seed, TIME_LIMIT
    name = checks.learner_name(fn)
    records = checks.collect_answers(check_name, fn)
    del checks, fn  # the copy the learner's code ran next to is not used again

    collect()  # the learner's objects due to go run their __del__ now, not while we judge
    gc_off()
    switch_to(1000.0)  # the learner's threads, if any, wait while we judge
    saved = [(module, modules_dict.get(module)) for module, _, _ in codes]
    try:
        look_in = {"__builtins__": look_with[0], "os": look_with[1], "sys": look_with[2],
                   "types": look_with[3], "sysconfig": look_with[4]}  # a literal: no builtin
        changed = function_type(look, look_in)(trusted)
        if changed:
            return False, (f"{mark} {changed} is not Python's or numpy's own any more: a cell of "
                           "this notebook replaced it, and grading cannot trust it; remove "
                           "that cell")
        fresh = []
        for module, code, path in codes:  # as _fresh, inline
            new = module_type(module)
            new.__file__ = path
            modules_dict[module] = new
            exec_(code, new.__dict__)
            fresh.append(new)
        core, judge = fresh[1], fresh[2]
        judge.CHECK_SEED = seed
        if settings:
            celsius, fahrenheit = core.make_dataset()
            passed, verdict = judge.judge_answers(check_name, name, records,
                                                  core.scale_inputs(celsius), fahrenheit)
        else:
            passed, verdict = judge.judge_answers(check_name, name, records)
    finally:
        for module, before in saved:
            if before is None:
                modules_dict.pop(module, None)
            else:
                modules_dict[module] = before
        switch_to(switch)
        if gc_was:
            gc_on()
    return bool(passed), str(verdict)


# What phase 2 computes with: a function or class in them that comes from elsewhere than
# Python's or an installed package's files (a notebook cell, a file next to it) was put there
# by the learner, e.g. `np.allclose = lambda *a, **k: True` in an answer cell.
TRUSTED_MODULES = ("builtins", "math", "numpy", "numpy.linalg", "numpy.random", "dataclasses",
                   "functools", "warnings", "copy", "types", "os", "os.path")


def _tampered(names):
    """The first ``module.name`` among ``names``' modules that is not its package's own, or "".

    Run as a function rebuilt from this code object (immutable) after the learner's code ran,
    so that replacing this function, or its globals, changes nothing.
    """
    paths = sysconfig.get_paths()
    homes = {os.path.abspath(paths[key]) for key in ("stdlib", "platstdlib", "purelib",
                                                       "platlib") if key in paths}
    homes |= {os.path.abspath(p) for p in sys.path  # the user's site-packages, a conda env...
              if isinstance(p, str) and p.endswith(("site-packages", "dist-packages"))}
    homes = tuple(home + os.sep for home in homes)

    def at_home(filename):
        filename = str(filename)  # "<frozen importlib._bootstrap>": Python's own, frozen
        return filename.startswith("<frozen ") or os.path.abspath(filename).startswith(homes)

    def genuine(value, depth=0):
        if isinstance(value, types.FunctionType):
            return at_home(value.__code__.co_filename)
        if isinstance(value, types.MethodType):
            return genuine(value.__func__, depth)
        if isinstance(value, types.ModuleType):
            where = getattr(value, "__file__", None)
            return where is None or at_home(where)
        if isinstance(value, type):
            return genuine_type(value)
        if callable(value) and depth == 0:
            return genuine(type(value), 1)
        return True

    def genuine_type(cls):
        if not cls.__flags__ & (1 << 9):  # a static type, written in C: not made in a cell
            return True
        module = str(getattr(cls, "__module__", ""))
        if module == "__main__":  # where a notebook's cells define their classes
            return False
        for member in vars(cls).values():  # the methods: from the package's files?
            function = getattr(member, "__func__", member)
            if isinstance(function, types.FunctionType):
                where = function.__code__.co_filename  # "<string>": namedtuple's, made by eval
                if not (at_home(where) or where == "<string>"):
                    return False
        home = sys.modules.get(module)
        where = getattr(home, "__file__", None)
        return at_home(where) if where else True  # numpy.rec, cython's types, posix's...

    for module_name in names:
        module = sys.modules.get(module_name)
        if module is None:
            continue
        if type(module) is not types.ModuleType or not genuine(module):
            return module_name
        for name, value in list(vars(module).items()):
            if not genuine(value):
                return f"{module_name}.{name}"
    return ""


def _read_sources(folder):
    sources = {}
    for name in FILES:
        with open(os.path.join(folder, f"{name}.py"), encoding="utf-8") as file:
            sources[name] = file.read()
    return sources


def _fresh(codes):
    """New module objects for ``MODULES`` from their code (compiled from the files' text, not
    from cached bytecode, not taken from ``sys.modules``), importing one another;
    ``sys.modules`` is left as it was."""
    saved = {name: sys.modules.get(name) for name in MODULES}
    modules = {}
    try:
        for name, code, path in codes:
            module = types.ModuleType(name)
            module.__file__ = path
            sys.modules[name] = module  # what the next module's `from neuron_core import` finds
            exec(code, module.__dict__)
            modules[name] = module
    finally:
        for name, before in saved.items():
            if before is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = before
    return modules
