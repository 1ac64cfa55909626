"""The pins: requirements.txt is their single source; environment.yml and the installed
environment must agree with it.

A range for torch, or a conda file that drifted from the pip pins, would install a different
(and, for torch, a multi-gigabyte CUDA) stack than the one the course is tested on.
"""

import re
from importlib import metadata
from pathlib import Path

import pytest
import yaml  # PyYAML, a dependency of nbgrader
from packaging.requirements import Requirement  # packaging: a dependency of pytest
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements.txt"
ENVIRONMENT = ROOT / "environment.yml"

TORCH_PIN = "torch==2.13.0"


def read_requirements():
    """Return the requirement lines of requirements.txt, comments and blank lines removed."""
    lines = []
    for raw in REQUIREMENTS.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if line and not line.startswith("#"):
            lines.append(line)
    return lines


def read_environment():
    """Return environment.yml as a dict."""
    return yaml.safe_load(ENVIRONMENT.read_text(encoding="utf-8"))


def conda_and_pip_dependencies(env):
    """Return (conda specs, pip requirement lines) of an environment.yml dict."""
    conda, pip = [], []
    for dep in env.get("dependencies") or []:
        if isinstance(dep, dict) and "pip" in dep:
            pip.extend(str(line).strip() for line in dep["pip"])
        elif isinstance(dep, str):
            conda.append(dep.strip())
        else:
            raise AssertionError(f"environment.yml: unexpected dependency entry {dep!r}")
    return conda, pip


def pins(lines, source):
    """Return {canonical name: "name==version"} for requirement lines, rejecting duplicates."""
    result = {}
    for line in lines:
        name = canonicalize_name(Requirement(line).name)
        assert name not in result, f"{source}: {name} is listed twice ({result[name]!r}, {line!r})"
        result[name] = normalized(line)
    return result


def normalized(line):
    """Return a requirement line with its name canonicalized and spaces removed."""
    req = Requirement(line)
    return canonicalize_name(req.name) + str(req.specifier) + (f"; {req.marker}" if req.marker else "")


def exact_version(line):
    """Return the version of an exact `name==version` pin, or None if `line` is anything else."""
    req = Requirement(line)
    specs = list(req.specifier)
    if req.extras or req.url or req.marker or len(specs) != 1:
        return None
    (spec,) = specs
    if spec.operator != "==" or spec.version.endswith(".*"):
        return None
    return spec.version


@pytest.fixture(scope="module")
def requirements():
    return read_requirements()


@pytest.fixture(scope="module")
def environment():
    return read_environment()


def test_requirements_are_exact_pins(requirements):
    loose = [line for line in requirements if exact_version(line) is None]
    assert not loose, f"requirements.txt: not exact `name==version` pins: {loose}"


def test_torch_is_pinned_exactly(requirements):
    torch = [line for line in requirements if canonicalize_name(Requirement(line).name) == "torch"]
    assert torch == [TORCH_PIN], f"requirements.txt: torch lines are {torch}, expected [{TORCH_PIN!r}]"


def test_environment_yml_pins_match_requirements(requirements, environment):
    _, pip = conda_and_pip_dependencies(environment)
    req_pins = pins(requirements, "requirements.txt")
    env_pins = pins(pip, "environment.yml")
    problems = [
        f"{name}: requirements.txt {req_pins.get(name, '(missing)')}, "
        f"environment.yml {env_pins.get(name, '(missing)')}"
        for name in sorted(set(req_pins) | set(env_pins))
        if req_pins.get(name) != env_pins.get(name)
    ]
    assert not problems, "environment.yml's pip list differs from requirements.txt: " + "; ".join(problems)


def test_environment_yml_keeps_requirements_order(requirements, environment):
    _, pip = conda_and_pip_dependencies(environment)
    req_names = [canonicalize_name(Requirement(line).name) for line in requirements]
    env_names = [canonicalize_name(Requirement(line).name) for line in pip]
    for position, (want, got) in enumerate(zip(req_names, env_names), start=1):
        assert want == got, (
            f"environment.yml's pip list, entry {position}: {got!r}, "
            f"but requirements.txt has {want!r} there (keep the same order)"
        )


def test_environment_yml_python_is_311(environment):
    conda, _ = conda_and_pip_dependencies(environment)
    python = [spec for spec in conda if re.match(r"[A-Za-z0-9_.-]+", spec).group() == "python"]
    assert python in (["python=3.11"], ["python=3.11.*"]), (
        f"environment.yml: python entries are {python}, expected ['python=3.11']"
    )
    assert "pip" in conda, f"environment.yml: conda dependencies {conda} lack 'pip' (needed for the pip list)"


def test_environment_yml_name_and_channel(environment):
    assert environment.get("name") == "conv-hands-on", f"environment.yml: name is {environment.get('name')!r}"
    assert environment.get("channels") == ["conda-forge"], (
        f"environment.yml: channels are {environment.get('channels')!r}, expected ['conda-forge']"
    )


def test_installed_torch_is_2_13_0():
    # The CPU wheel reports a local label ("2.13.0+cpu"); `torch==2.13.0` accepts it, so do we.
    installed = metadata.version("torch")
    assert Version(installed).public == "2.13.0", f"installed torch is {installed}, expected 2.13.0"


@pytest.mark.parametrize("line", read_requirements())
def test_installed_version_matches_pin(line):
    req = Requirement(line)
    try:
        installed = metadata.version(req.name)
    except metadata.PackageNotFoundError:
        pytest.fail(f"{req.name} is pinned in requirements.txt ({line}) but not installed")
    # PEP 440: `==2.13.0` also admits a local label such as 2.13.0+cpu.
    assert req.specifier.contains(installed, prereleases=True), (
        f"{req.name}: installed {installed}, requirements.txt has {line!r}"
    )
