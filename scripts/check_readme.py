"""Check that what README.md points at exists: files, make targets, Binder and nbgitpuller links.

Usage: python scripts/check_readme.py [README.md]     (exit 1 and one line per problem)

Checked:
- relative markdown links and images, [text](path) and [ref]: path, exist in the repo;
- paths in `code` and in fenced code blocks that look like repo files (a known extension, a
  trailing slash, or a first folder that exists) exist; globs must match something; paths under
  the folders .gitignore lists (build/, student/, .venv/: made by commands) are not checked;
- every `make TARGET` in code is a target of the Makefile;
- Binder links (mybinder.org/v2/gh/OWNER/REPO/BRANCH?urlpath=...|labpath=...|filepath=...),
  nbgitpuller links (.../git-pull?repo=...&branch=...&urlpath=...) and GitHub blob/tree links
  name this repository, its branch, and files that exist.
Links to other sites are not fetched: this runs offline.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

REPO = "https://github.com/one-neuron/one-neuron"  # the course's public repository
BRANCH = "main"

FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)
LINKED_CODE = re.compile(r"\[`[^`\]]*`\]\(")  # [`name`](target): the target is what is checked
INLINE_TARGET = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^)]*[\"'])?\s*\)")
REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE)
URL = re.compile(r"https?://[^\s)<>\]\"'`]+")
FILE_EXTENSIONS = (".ipynb", ".py", ".md", ".txt", ".toml", ".cfg", ".json", ".yml", ".yaml",
                   ".sh", ".html", ".png", ".svg", ".csv")
MAKE = re.compile(r"(?:^|[\s;&|(])make((?:[ \t]+[^\s;&|)]+)+)")
# Server routes that a Binder or nbgitpuller urlpath can open a file with.
ROUTES = ("lab/tree/", "doc/tree/", "tree/", "notebooks/", "edit/", "voila/render/")


def split_code(text: str) -> tuple[str, list[str]]:
    """The prose (code removed, so links in code examples are not links) and the code pieces."""
    fences = [m.group(0) for m in FENCE.finditer(text)]
    prose = FENCE.sub("", text)
    spans = [m.group(2) for m in CODE_SPAN.finditer(LINKED_CODE.sub("](", prose))]
    return CODE_SPAN.sub("", prose), fences + spans


# ---------------------------------------------------------------------------------------------
# Relative links and paths
# ---------------------------------------------------------------------------------------------


def link_targets(prose: str) -> list[str]:
    """Every inline and reference-style link target, in order."""
    return INLINE_TARGET.findall(prose) + REFERENCE.findall(prose)


def is_external(target: str) -> bool:
    return bool(re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE)) or target.startswith("//")


def missing_target(target: str, root: Path) -> str | None:
    """Why a relative link target is broken, or None when it exists."""
    path = unquote(target.split("#", 1)[0].split("?", 1)[0])
    if not path:
        return None  # an anchor in this page
    resolved = (root / path).resolve()
    if not resolved.is_relative_to(root.resolve()):
        return f"link {target!r} points outside the repository"
    return None if resolved.exists() else f"link {target!r}: no such file"


def generated_folders(root: Path) -> tuple[str, ...]:
    """The folders that .gitignore lists: commands make them, so they need not exist yet."""
    gitignore = root / ".gitignore"
    lines = gitignore.read_text().splitlines() if gitignore.exists() else []
    return tuple(line.strip().lstrip("/") for line in lines if line.strip().endswith("/"))


def path_tokens(code: str, root: Path) -> list[str]:
    """The words in a piece of code that look like paths in the repository."""
    found = []
    for word in code.split():
        if "://" in word or "%" in word:
            continue  # a URL: check_url's business
        if word.startswith("-") or re.match(r"^[A-Za-z_]+=", word):
            word = word.split("=", 1)[-1]  # --output-dir=build/lite, VAR=notebooks/
        word = word.strip("\"'(),;:")
        if not word or word.startswith(("-", "$", "~", "/")):
            continue
        first = word.split("/", 1)[0]
        if word.endswith(FILE_EXTENSIONS) or word.endswith("/") or (
            "/" in word and (root / first).exists()
        ):
            found.append(word)
    return found


PLACEHOLDER = re.compile(r"[<>{}]|(?<![A-Za-z])[A-Z]+(?![a-z])")  # <name>, 0N_name, YOUR-HUB


def missing_path(word: str, root: Path) -> str | None:
    """Why a path named in code is wrong, or None.

    Generated folders are not checked; a bare file name may be anywhere in the repository; a
    missing path with a placeholder in capitals or <brackets> is a pattern, not a file.
    """
    generated = generated_folders(root)
    if word.startswith(generated):
        return None
    if any(char in word for char in "*?["):
        return None if any(root.glob(word)) else f"path `{word}` matches no file"
    if (root / word).exists():
        return None
    if "/" not in word and word in repo_file_names(root):
        return None
    return None if PLACEHOLDER.search(word) else f"path `{word}`: no such file"


def repo_file_names(root: Path) -> set[str]:
    """The names of the repository's files and folders, generated folders and .git left out."""
    skip = {name.rstrip("/") for name in generated_folders(root)} | {".git"}
    names = set()
    for _folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in skip]  # os.walk then never enters them
        names.update(dirs, files)
    return names


# ---------------------------------------------------------------------------------------------
# make targets
# ---------------------------------------------------------------------------------------------


def makefile_targets(makefile: str) -> set[str]:
    """The explicit targets of a Makefile (no variables, no pattern rules)."""
    targets = set()
    for line in makefile.splitlines():
        rule = re.match(r"^([^\s#:=][^:=]*?)\s*::?(?!=)", line)
        if rule and "$" not in rule[1] and "%" not in rule[1]:
            targets.update(rule[1].split())
    return targets


def make_targets_mentioned(code: str) -> list[str]:
    """The targets of every `make ...` command in a piece of code (flags and VAR=x skipped)."""
    targets = []
    for words in MAKE.findall(code):
        words = words.split("#", 1)[0]  # a shell comment after the command
        targets += [w for w in words.split() if not w.startswith("-") and "=" not in w]
    return targets


# ---------------------------------------------------------------------------------------------
# Binder, nbgitpuller and GitHub links
# ---------------------------------------------------------------------------------------------


def repo_parts(url: str) -> tuple[str, str]:
    """(owner, name) of a repository URL, lower-cased, without a .git suffix."""
    owner, name = (urlsplit(url).path.strip("/").split("/") + ["", ""])[:2]
    return owner.lower(), name.lower().removesuffix(".git")


def route_path(urlpath: str, clone_dir: str = "") -> tuple[str | None, str | None]:
    """(file path in the repo or None, problem or None) for a server urlpath like lab/tree/x."""
    urlpath = unquote(urlpath).lstrip("/").split("?", 1)[0]  # drops nbgitpuller's ?autodecode
    route = next((r for r in ROUTES if urlpath.startswith(r)), None)
    if route is None:
        return None, None  # e.g. urlpath=lab: opens no file
    path = urlpath[len(route):]
    if clone_dir:
        if path.split("/", 1)[0] != clone_dir:
            return None, f"urlpath {urlpath!r} must start with the clone folder {clone_dir!r}/"
        path = path[len(clone_dir):].lstrip("/")
    return path, None


def check_binder(url: str, root: Path) -> list[str]:
    parts = urlsplit(url).path.strip("/").split("/")  # v2 gh OWNER REPO BRANCH
    if len(parts) < 5 or parts[:2] != ["v2", "gh"]:
        return [f"{url}: not a /v2/gh/OWNER/REPO/BRANCH Binder link"]
    query = parse_qs(urlsplit(url).query)
    urlpath = query.get("urlpath", [""])[0]
    if urlpath.startswith(("git-pull", "/git-pull")):
        # Binder builds the environment from one repo, nbgitpuller pulls the course into it.
        return check_nbgitpuller(urlpath, root)
    problems = []
    if (parts[2].lower(), parts[3].lower().removesuffix(".git")) != repo_parts(REPO):
        problems.append(f"{url}: Binder repository {parts[2]}/{parts[3]} is not {REPO}")
    if parts[4] != BRANCH:
        problems.append(f"{url}: Binder branch {parts[4]!r} is not {BRANCH!r}")
    path, problem = route_path(urlpath)
    paths = [path] + query.get("labpath", []) + query.get("filepath", [])
    problems += [problem] if problem else []
    problems += [f"{url}: {p!r} is not in the repository" for p in paths
                 if p and not (root / p).exists()]
    return problems


def check_nbgitpuller(url: str, root: Path) -> list[str]:
    query = parse_qs(urlsplit(url).query)
    repo = query.get("repo", [""])[0]
    problems = []
    if not repo or repo_parts(repo) != repo_parts(REPO):
        problems.append(f"{url}: nbgitpuller repo {repo!r} is not {REPO}")
    branch = query.get("branch", [None])[0]
    if branch != BRANCH:
        problems.append(f"{url}: nbgitpuller branch {branch!r} is not {BRANCH!r} "
                        "(a missing branch means master)")
    clone_dir = query.get("targetPath", [repo_parts(REPO)[1]])[0]
    path, problem = route_path(query.get("urlpath", [""])[0], clone_dir)
    problems += [f"{url}: {problem}"] if problem else []
    if path and not (root / path).exists():
        problems.append(f"{url}: {path!r} is not in the repository")
    return problems


def check_github(url: str, root: Path) -> list[str]:
    parts = urlsplit(url).path.strip("/").split("/")  # OWNER REPO blob|tree BRANCH PATH...
    if len(parts) < 4 or parts[2] not in ("blob", "tree"):
        return []
    if parts[3] != BRANCH:
        return [f"{url}: branch {parts[3]!r} is not {BRANCH!r}"]
    path = unquote("/".join(parts[4:]))
    return [] if (root / path).exists() else [f"{url}: {path!r} is not in the repository"]


def check_url(url: str, root: Path) -> list[str]:
    parsed = urlsplit(url)
    if parsed.path.startswith("/v2/"):  # a Binder launch link (not its badge image)
        return check_binder(url, root)
    if parsed.path.endswith("/git-pull"):
        return check_nbgitpuller(url, root)
    if url.lower().startswith(REPO.lower() + "/"):
        return check_github(url, root)
    return []  # another site: not fetched


# ---------------------------------------------------------------------------------------------
# All together
# ---------------------------------------------------------------------------------------------


def problems(readme: str, root: Path) -> list[str]:
    """Every problem in the README text, for the repository at root."""
    prose, code = split_code(readme)
    makefile = root / "Makefile"
    targets = makefile_targets(makefile.read_text()) if makefile.exists() else set()
    found = [missing_target(t, root) for t in link_targets(prose) if not is_external(t)]
    found += [missing_path(word, root) for piece in code for word in path_tokens(piece, root)]
    found += [f"`make {t}`: no such target in the Makefile"
              for piece in code for t in make_targets_mentioned(piece) if t not in targets]
    urls = dict.fromkeys(url.rstrip(".,;:!?") for url in URL.findall(readme))
    found += [p for url in urls for p in check_url(url, root)]
    return list(dict.fromkeys(p for p in found if p))  # each once, in order


def main(argv: list[str]) -> int:
    readme = Path(argv[0]) if argv else Path(__file__).resolve().parents[1] / "README.md"
    found = problems(readme.read_text(encoding="utf-8"), readme.resolve().parent)
    for problem in found:
        print(f"{readme}: {problem}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
