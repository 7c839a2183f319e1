#!/usr/bin/env python3
"""Static checks of the source tree that neither rustc nor clippy makes: they keep the
documentation, the module structure and the domain model from drifting apart as code moves.
Python 3.11 standard library only; reads files, runs nothing, takes well under a second.

architecture   docs/ARCHITECTURE.md is the map of the code, so every module must be on it, and
               every source file it names must exist.
               Module names: a module of the library is its path under app/src without `.rs`
               (`orders/place` for app/src/orders/place.rs, `orders/store` for
               app/src/orders/store/mod.rs, `storage` for app/src/storage.rs); a module of the
               binaries is prefixed with its crate directory (`admin/demo/catalogue` for
               admin/src/demo/catalogue.rs, `worker/emails` for worker/src/emails.rs). lib.rs,
               main.rs and test-only modules (files named tests.rs, directories named tests) are
               not modules here.
               A module is on the map when a backticked span of ARCHITECTURE.md names it, written
               as a path (`orders/place`, `orders/place.rs`, `orders/store/`, `orders/store/mod.rs`,
               `app/src/orders/place.rs`, `admin/src/tenant.rs`) or as a Rust path
               (`orders::place`, `crate::orders::place`, `orders::place::run`: a span naming an
               item inside the module names the module too); or when one line (a table row, say)
               has a span naming its parent module and a span naming the module's own last part
               (the row of `orders/` citing `place.rs`; the row of `worker` citing `emails.rs`).
               A top-level module of the library needs its own span (`orders/`, `storage.rs`).
               The other way round, every backticked `something.rs` must exist: a path is tried
               from the repository root, from app/src and, for `admin/...` and `worker/...`, from
               that crate's src; a bare file name from the modules named on the same line (or, on
               a line naming none, anywhere in a crate's src).

status-literals
               The order statuses are a type of the domain (STATUS_HOME below); anywhere else, a
               Rust string literal that is exactly one status word ("ready", "cancelled", ...) is
               a second, unchecked copy of the state machine. Flagged: a plain (not raw, not byte)
               string literal whose whole content is a status word, in non-test code of app/,
               admin/ and worker/. SQL is not flagged: a status inside a query's SQL text is part
               of a longer literal. Test code is skipped: tests/, files named tests.rs, files
               under a tests directory, everything from the first `#[cfg(test)]` at the start of
               a line to the end of the file (the convention here), and the item that follows an
               indented `#[cfg(test)]`. STATUS_WORD_ELSEWHERE lists the files where a status word
               means something else, with the reason.

imports        Top-level modules of the library (the first path component under app/src) must not
               depend on each other both ways. Every `crate::x` reference in non-test code counts
               (`use crate::x::y`, `use crate::{x, y::z}`, `crate::x::f()` inline; `crate::Name`
               re-exported by lib.rs counts for the module it comes from); `super::` is ignored
               (top-level modules reach each other through `crate::`). Reports each pair that
               references each other, with the first reference of each direction, then each
               larger cycle (strongly connected component of more than two modules).

design         Comments cite the design document by heading, not by an outside section number:
               docs/DESIGN.md followed by a quoted heading (with or without a comma, the quotes
               straight or curly), or docs/DESIGN.md with a #anchor, must name a `##` or `###`
               heading of docs/DESIGN.md (case-insensitive, exact; anchors as GitHub makes them).
               No file may cite the old numbered sections (the word DESIGN then a section sign)
               any more. Scanned: .rs, .sh, .py and .sql files and extensionless scripts with a
               shebang, anywhere outside target/, .git/ and the local environments; the whole
               text is scanned, since a citation in a message or a docstring is as stale as one
               in a comment. A missing docs/DESIGN.md is a failure.

Prints one line per problem (`architecture: missing module orders/place (app/src/orders/place.rs)`),
then one summary line per check; exits 1 if any check failed, 0 otherwise.

script-env     The binaries' configuration reads every OCPIZZA_* variable strictly (an unknown one
               stops them), so a script's own settings must live outside that namespace: in the
               scripts (scripts/, .ci/run, docker/) and in what compose.yaml interpolates from the
               shell (`${...}`), every OCPIZZA_* name is OCPIZZA_PROFILE or a configuration path (a
               double underscore between sections, OCPIZZA_HTTP__PORT).

request-text   poem-openapi's `String` also accepts a JSON number or boolean as text, which the
               OpenAPI document says is invalid; request bodies use `http::strict::Text` instead
               (docs/DESIGN.md, "Errors"). Flagged: a field typed `String` (alone or inside
               Option, Vec or MaybeUndefined) of a struct deriving `Object` that is a request
               body (`name: Json<T>` or `name: OptionalJson<T>` in app/src) or reachable from one
               through its fields.
"""

from __future__ import annotations

import bisect
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The crates whose modules are checked: (directory of its sources, prefix of its module names).
CRATES = (("app/src", ""), ("admin/src", "admin/"), ("worker/src", "worker/"))
ARCHITECTURE = "docs/ARCHITECTURE.md"
DESIGN = "docs/DESIGN.md"

ORDER_STATUSES = (
    "pending_payment",
    "received",
    "preparing",
    "ready",
    "out_for_delivery",
    "delivered",
    "picked_up",
    "cancelled",
    "returned",
)
# Where the order status is defined and may be spelt out: a file, or a directory ending in `/`.
STATUS_HOME = (
    "app/src/domain/order.rs",
    "app/src/domain/lifecycle/",
)
# Files where a status word is not an order status, with the words allowed there and why. Never
# list an order status used outside the domain here: move that code to the domain type instead.
STATUS_WORD_ELSEWHERE = {
    # The readiness probe answers {"status": "ready"}: the state of the process, not of an order.
    "app/src/http/health.rs": {"ready"},
}

# Directories never scanned by the design check (build output, local environments, VCS).
SKIP_DIRS = {".git", "target", ".test-venv", ".data", ".test-data", "node_modules", "__pycache__"}
SCANNED_SUFFIXES = {".rs", ".sh", ".py", ".sql"}


# ---------------------------------------------------------------------------------------------
# Reading Rust: comments, string and char literals told apart from code.

RUST_START = re.compile(r"""//|/\*|(?<!\w)(?:br|cr|r)\#*"|(?<!\w)[bc]?"|"|'""")
RUST_CHAR = re.compile(r"""'(?:[^'\\\n]|\\(?:x[0-9a-fA-F]{2}|u\{[0-9a-fA-F_]{1,8}\}|.))'""")
RUST_STR_BODY = re.compile(r'(?:[^"\\]|\\.)*"', re.S)
RUST_BLOCK = re.compile(r"/\*|\*/")
NOT_NEWLINE = re.compile(r"[^\n]")
CFG_TEST = re.compile(r"^([ \t]*)#\[cfg\(test\)\]", re.M)


@dataclass
class StrLit:
    offset: int
    prefix: str  # "", "b", "c"
    raw: bool
    content: str


@dataclass
class RustFile:
    rel: str  # path from the repository root
    text: str
    code: str = ""  # the text with comments and literals blanked (same length, same lines)
    strings: list[StrLit] = field(default_factory=list)
    test_ranges: list[tuple[int, int]] = field(default_factory=list)
    newlines: list[int] = field(default_factory=list)

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self.newlines, offset - 1) + 1 if offset else 1

    def is_test(self, offset: int) -> bool:
        return any(a <= offset < b for a, b in self.test_ranges)


def blank(s: str) -> str:
    return NOT_NEWLINE.sub(" ", s)


def read_rust(rel: str) -> RustFile:
    text = (ROOT / rel).read_text(encoding="utf-8", errors="replace")
    f = RustFile(rel, text)
    f.newlines = [m.start() for m in re.finditer("\n", text)]
    out: list[str] = []
    pos, n = 0, len(text)
    while pos < n:
        m = RUST_START.search(text, pos)
        if not m:
            break
        start, tok = m.start(), m.group()
        if tok == "'":
            c = RUST_CHAR.match(text, start)
            if not c:  # a lifetime or a label: code
                out.append(text[pos : start + 1])
                pos = start + 1
                continue
            end = c.end()
        elif tok == "//":
            end = text.find("\n", start)
            end = n if end < 0 else end
        elif tok == "/*":
            depth, i = 1, start + 2
            while depth:
                b = RUST_BLOCK.search(text, i)
                if not b:
                    i = n
                    break
                depth += 1 if b.group() == "/*" else -1
                i = b.end()
            end = i
        else:  # a string literal
            head = tok.rstrip('"').rstrip("#")
            prefix = head.removesuffix("r")
            if head.endswith("r"):
                close = '"' + "#" * tok.count("#")
                e = text.find(close, m.end())
                e = n if e < 0 else e
                f.strings.append(StrLit(start, prefix, True, text[m.end() : e]))
                end = min(n, e + len(close))
            else:
                b = RUST_STR_BODY.match(text, m.end())
                end = b.end() if b else n
                f.strings.append(StrLit(start, prefix, False, text[m.end() : end - 1]))
        out.append(text[pos:start])
        out.append(blank(text[start:end]))
        pos = end
    out.append(text[pos:])
    f.code = "".join(out)
    f.test_ranges = test_ranges(rel, f.code)
    return f


def is_test_path(rel: str) -> bool:
    parts = rel.split("/")
    return parts[0] == "tests" or parts[-1] == "tests.rs" or "tests" in parts[:-1]


def test_ranges(rel: str, code: str) -> list[tuple[int, int]]:
    if is_test_path(rel):
        return [(0, len(code) + 1)]
    ranges = []
    for m in CFG_TEST.finditer(code):
        if not m.group(1):  # at the start of a line: the rest of the file is tests
            ranges.append((m.start(), len(code) + 1))
            break
        # indented: the item that follows (up to its `;`, or the end of its `{ ... }`)
        semi, brace = code.find(";", m.end()), code.find("{", m.end())
        if brace < 0 or 0 <= semi < brace:
            ranges.append((m.start(), (semi if semi >= 0 else len(code)) + 1))
            continue
        depth, end = 0, len(code)
        for b in re.finditer(r"[{}]", code[brace:]):
            depth += 1 if b.group() == "{" else -1
            if depth == 0:
                end = brace + b.end()
                break
        ranges.append((m.start(), end))
    return ranges


def rust_files(src: str) -> list[str]:
    base = ROOT / src
    found = []
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames.sort()
        for name in sorted(filenames):
            if name.endswith(".rs"):
                found.append((Path(dirpath) / name).relative_to(ROOT).as_posix())
    return found


# ---------------------------------------------------------------------------------------------
# Check 1: the architecture map.

SPAN = re.compile(r"`([^`\n]+)`")
PATHLIKE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./:-]*")


def norm_span(span: str) -> str | None:
    """The module path a backticked span names (`app/src/orders/place.rs` -> `orders/place`), or
    None when it does not look like a path. "" is the library's root."""
    s = span.strip()
    if not PATHLIKE.fullmatch(s):
        return None
    s = s.replace("::", "/")
    s = s.removeprefix("./").rstrip("/")
    s = s.removesuffix(".rs").removesuffix("/mod")
    if s in ("app", "app/src", "crate", "ocpizza"):
        return ""
    s = re.sub(r"^app/src/", "", s)
    s = re.sub(r"^(admin|worker)/src(/|$)", r"\1\2", s)
    s = re.sub(r"^(crate|ocpizza|app)/", "", s)
    return s


def module_dir(name: str) -> Path:
    """The directory holding the children of module `name`."""
    for src, prefix in CRATES[1:]:
        crate = prefix.rstrip("/")
        if name == crate or name.startswith(prefix):
            return ROOT / src / name[len(crate) :].lstrip("/")
    return ROOT / "app/src" / name


def modules() -> dict[str, str]:
    """Module name -> the file that defines it."""
    found = {}
    for src, prefix in CRATES:
        for rel in rust_files(src):
            if is_test_path(rel):
                continue
            inner = rel[len(src) + 1 :]
            parts = inner.split("/")
            if "tests" in parts[:-1] or parts[-1] == "tests.rs":
                continue
            if parts[-1] == "mod.rs":
                if len(parts) > 1:
                    found[prefix + "/".join(parts[:-1])] = rel
            elif not (len(parts) == 1 and parts[0] in ("lib.rs", "main.rs")):
                found[prefix + inner.removesuffix(".rs")] = rel
    return dict(sorted(found.items()))


def check_architecture(problems: list[str]) -> str:
    doc_path = ROOT / ARCHITECTURE
    if not doc_path.is_file():
        problems.append(f"architecture: {ARCHITECTURE} does not exist")
        return "no document"
    lines = doc_path.read_text(encoding="utf-8").splitlines()
    in_fence = False
    spans_by_line: list[tuple[int, list[str]]] = []
    for i, line in enumerate(lines, 1):
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
            continue
        if not in_fence:
            spans = SPAN.findall(line)
            if spans:
                spans_by_line.append((i, spans))

    named: set[str] = set()  # every module path a span names, and the modules above it
    line_names: list[set[str]] = []
    for _, spans in spans_by_line:
        names = {n for n in map(norm_span, spans) if n is not None}
        line_names.append(names)
        for n in names:
            parts = n.split("/")
            for k in range(1, len(parts) + 1):
                named.add("/".join(parts[:k]))

    mods = modules()
    missing = 0
    for name, rel in mods.items():
        if name in named:
            continue
        parent, _, last = name.rpartition("/")
        if parent and any(parent in names and last in names for names in line_names):
            continue
        problems.append(f"architecture: missing module {name} ({rel})")
        missing += 1

    # The other way round: every `something.rs` it cites exists.
    crate_files: dict[str, bool] = {}
    for src, _ in CRATES + (("tests", ""),):
        for rel in rust_files(src):
            crate_files[rel.rsplit("/", 1)[-1]] = True
    cited = stale = 0
    for (lineno, spans), names in zip(spans_by_line, line_names):
        dirs: list[Path] = []  # the module directories the line names, in its order
        for n in map(norm_span, spans):
            if n is not None and module_dir(n).is_dir() and module_dir(n) not in dirs:
                dirs.append(module_dir(n))
        for span in spans:
            s = span.strip()
            if not (s.endswith(".rs") and PATHLIKE.fullmatch(s)) or "::" in s:
                continue
            cited += 1
            s = s.removeprefix("./")
            candidates = [ROOT / s, ROOT / "app/src" / s] + [d / s for d in dirs]
            if s.startswith(("admin/", "worker/")):
                crate, rest = s.split("/", 1)
                candidates.append(ROOT / crate / "src" / rest)
            if any(c.is_file() for c in candidates):
                continue
            if "/" not in s and not dirs and s in crate_files:
                continue
            where = f"no file of {dirs[0].relative_to(ROOT).as_posix()}" if dirs else "no such file"
            problems.append(f"architecture: stale file name `{s}` ({ARCHITECTURE}:{lineno}: {where})")
            stale += 1
    if missing or stale:
        return f"{missing} undocumented module(s), {stale} stale file name(s)"
    return f"{len(mods)} modules on the map, {cited} cited .rs files exist"


# ---------------------------------------------------------------------------------------------
# Check 2: order status names.


def status_home(rel: str) -> bool:
    return any(rel == p or (p.endswith("/") and rel.startswith(p)) for p in STATUS_HOME)


def check_status_literals(files: list[RustFile], problems: list[str]) -> str:
    words = set(ORDER_STATUSES)
    found = 0
    lines = 0
    for f in files:
        if status_home(f.rel) or is_test_path(f.rel):
            continue
        allowed = STATUS_WORD_ELSEWHERE.get(f.rel, set())
        by_line: dict[int, list[str]] = {}
        for s in f.strings:
            if s.raw or s.prefix or s.content not in words or s.content in allowed:
                continue
            if f.is_test(s.offset):
                continue
            by_line.setdefault(f.line(s.offset), []).append(f'"{s.content}"')
            found += 1
        for lineno, found_words in by_line.items():
            problems.append(f"status-literals: {f.rel}:{lineno}: {', '.join(found_words)} outside the domain")
            lines += 1
    if found:
        return f"{found} order status literal(s) on {lines} line(s) outside {', '.join(STATUS_HOME)}"
    return f"no order status literal outside {', '.join(STATUS_HOME)}"


# ---------------------------------------------------------------------------------------------
# Check 3: imports between the library's top-level modules.

CRATE_REF = re.compile(r"(?<![\w$])crate\s*::\s*(?:(\{)|([A-Za-z_]\w*))")
GROUP_TOKEN = re.compile(r"[{},]|[A-Za-z_]\w*")
PUB_USE = re.compile(r"\bpub\s+use\s+([^;]+);")


def crate_refs(code: str) -> list[tuple[int, str]]:
    """(offset, first segment) of every `crate::x` path in blanked code, groups expanded."""
    refs = []
    for m in CRATE_REF.finditer(code):
        if m.group(2):
            refs.append((m.start(), m.group(2)))
            continue
        depth, expect = 0, False
        for t in GROUP_TOKEN.finditer(code, m.start(1)):
            g = t.group()
            if g == "{":
                depth += 1
                expect = depth == 1
            elif g == "}":
                depth -= 1
                if depth == 0:
                    break
            elif g == ",":
                expect = depth == 1
            elif expect:
                if g != "self":
                    refs.append((t.start(), g))
                expect = False
    return refs


def check_imports(files: list[RustFile], problems: list[str]) -> str:
    app = [f for f in files if f.rel.startswith("app/src/")]
    tops = set()
    for f in app:
        parts = f.rel[len("app/src/") :].split("/")
        if len(parts) > 1:
            tops.add(parts[0])
        elif parts[0] not in ("lib.rs", "main.rs"):
            tops.add(parts[0].removesuffix(".rs"))
    reexport: dict[str, str] = {}
    lib = next((f for f in app if f.rel == "app/src/lib.rs"), None)
    if lib:
        for m in PUB_USE.finditer(lib.code):
            idents = re.findall(r"[A-Za-z_]\w*", m.group(1))
            if idents and idents[0] in tops:
                for name in idents[1:]:
                    reexport.setdefault(name, idents[0])

    edges: dict[tuple[str, str], str] = {}  # (from, to) -> first example
    for f in app:
        parts = f.rel[len("app/src/") :].split("/")
        if len(parts) == 1 and parts[0] in ("lib.rs", "main.rs"):
            continue
        src = parts[0].removesuffix(".rs")
        for offset, first in crate_refs(f.code):
            if f.is_test(offset):
                continue
            dst = first if first in tops else reexport.get(first)
            if dst and dst != src and (src, dst) not in edges:
                text = f.code[offset:].split("\n", 1)[0].strip()
                edges[(src, dst)] = f"{f.rel}:{f.line(offset)} ({text[:60]})"

    graph: dict[str, set[str]] = {t: set() for t in tops}
    for a, b in edges:
        graph[a].add(b)
    pairs = sorted((a, b) for a, b in edges if a < b and (b, a) in edges)
    for a, b in pairs:
        problems.append(f"imports: two-way {a} <-> {b}: {a} -> {b} at {edges[(a, b)]}; {b} -> {a} at {edges[(b, a)]}")
    big = [c for c in sccs(graph) if len(c) > 2]
    for comp in big:
        cycle = long_cycle(graph, comp)
        how = f"for instance {' -> '.join(cycle)}" if cycle else "each of them only through a two-way pair above"
        problems.append(f"imports: cycle among {len(comp)} modules: {', '.join(comp)} ({how})")
    if pairs or big:
        return f"{len(pairs)} two-way pair(s), {len(big)} larger cycle(s), in {len(edges)} edges between {len(tops)} modules"
    return f"{len(edges)} edges between {len(tops)} modules, no cycle"


def sccs(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components (Tarjan), each sorted, in sorted order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out = []
    sys.setrecursionlimit(10000)

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(out)


def long_cycle(graph: dict[str, set[str]], comp: list[str]) -> list[str]:
    """A shortest cycle of more than two modules inside the component, or [] if there is none
    (or if the search grows too large to be worth it)."""
    inside = set(comp)
    budget = 200_000
    for start in comp:
        frontier = [[start]]
        while frontier and budget > 0:
            nxt = []
            for path in frontier:
                for w in sorted(graph[path[-1]] & inside):
                    if w == start and len(path) > 2:
                        return path + [start]
                    if w != start and w not in path and w > start:
                        nxt.append(path + [w])
                        budget -= 1
            frontier = nxt
    return []


# ---------------------------------------------------------------------------------------------
# Check 4: design citations.

# Between the file name and the quoted heading: a comma or a space, maybe a wrapped comment line.
QUOTE_SEP = r"(?=[ \t,\n])[ \t]*,?[ \t]*(?:\n[ \t]*(?://[/!]?|\#|--|\*)?[ \t]*)?"
CITE_HEADING = re.compile(r"(?:docs/)?DESIGN\.md" + QUOTE_SEP + r"[\"\u201c]([^\"\u201d]{1,200})[\"\u201d]")
CITE_ANCHOR = re.compile(r"(?:docs/)?DESIGN\.md\#([\w-]+)")
OLD_NUMBERING = re.compile(r"\bDESIGN(?:\.md)?[ \t]*\u00a7[ \t]*[\d.]*")
COMMENT_WRAP = re.compile(r"\s*\n\s*(?://[/!]?|#|--|\*)?\s*")


# Applied migrations are never edited, comments included: sqlx checksums every migration file and
# refuses a database whose applied migration changed. Those written before the design record
# moved into the repository keep their old citations; newer ones must cite a heading.
FROZEN_MIGRATIONS_BEFORE = "20261123000009"


def is_frozen_migration(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return rel.startswith("migrations/") and name < FROZEN_MIGRATIONS_BEFORE


def scanned_files() -> list[str]:
    found = []
    for dirpath, dirnames, filenames in os.walk(ROOT):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in sorted(filenames):
            p = Path(dirpath) / name
            if p.suffix in SCANNED_SUFFIXES:
                found.append(p.relative_to(ROOT).as_posix())
            elif not p.suffix and p.is_file():
                try:
                    with p.open("rb") as fh:
                        if fh.read(2) == b"#!":
                            found.append(p.relative_to(ROOT).as_posix())
                except OSError:
                    pass
    return found


def slug(heading: str) -> str:
    s = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return s.replace(" ", "-")


def norm_heading(h: str) -> str:
    return " ".join(h.split()).casefold()


def check_design(problems: list[str]) -> str:
    design = ROOT / DESIGN
    headings: set[str] = set()
    anchors: set[str] = set()
    if design.is_file():
        in_fence = False
        for line in design.read_text(encoding="utf-8").splitlines():
            if line.lstrip().startswith("```"):
                in_fence = not in_fence
                continue
            m = re.match(r"(##|###)\s+(.*?)\s*#*\s*$", line)
            if m and not in_fence:
                headings.add(norm_heading(m.group(2)))
                anchors.add(slug(m.group(2)))
    else:
        problems.append(f"design: {DESIGN} does not exist (citations of it cannot resolve)")

    cites = bad = old = 0
    for rel in scanned_files():
        try:
            text = (ROOT / rel).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if "DESIGN" not in text:
            continue
        newlines = [m.start() for m in re.finditer("\n", text)]

        def line(offset: int) -> int:
            return bisect.bisect_right(newlines, offset - 1) + 1

        for m in CITE_HEADING.finditer(text):
            cites += 1
            heading = COMMENT_WRAP.sub(" ", m.group(1)).strip()
            if design.is_file() and norm_heading(heading) not in headings:
                problems.append(f'design: no heading "{heading}" in {DESIGN} ({rel}:{line(m.start())})')
                bad += 1
            elif not design.is_file():
                problems.append(f'design: cannot check "{heading}" ({rel}:{line(m.start())})')
                bad += 1
        for m in CITE_ANCHOR.finditer(text):
            cites += 1
            if design.is_file() and m.group(1).lower() not in anchors:
                problems.append(f"design: no heading with anchor #{m.group(1)} in {DESIGN} ({rel}:{line(m.start())})")
                bad += 1
            elif not design.is_file():
                problems.append(f"design: cannot check #{m.group(1)} ({rel}:{line(m.start())})")
                bad += 1
        if is_frozen_migration(rel):
            continue
        for m in OLD_NUMBERING.finditer(text):
            problems.append(f"design: old section number `{m.group().strip()}` at {rel}:{line(m.start())}: cite a heading")
            old += 1
    status = f"{cites} heading citation(s), {bad} unresolved; {old} old section number(s)"
    return status if design.is_file() else f"{DESIGN} missing; " + status


# ---------------------------------------------------------------------------------------------


SCRIPT_ENV = re.compile(r"\bOCPIZZA_[A-Z0-9_]+")


def check_script_env(problems: list[str]) -> str:
    scripts = [ROOT / ".ci" / "run", ROOT / "compose.yaml"]
    for base in ("scripts", "docker"):
        for dirpath, dirnames, filenames in os.walk(ROOT / base):
            dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
            scripts += [Path(dirpath) / f for f in filenames if f.endswith(".sh")]
    names = 0
    for path in scripts:
        if not path.is_file():
            continue
        rel = path.relative_to(ROOT).as_posix()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            names_here = SCRIPT_ENV.findall(line)
            if path.name == "compose.yaml":
                # The container's own environment is configuration; what compose interpolates
                # (`${NAME}`) comes from the shell that runs it, where the binaries run too.
                names_here = re.findall(r"\$\{(OCPIZZA_[A-Z0-9_]+)", line)
            for name in names_here:
                names += 1
                if name != "OCPIZZA_PROFILE" and "__" not in name[len("OCPIZZA_"):]:
                    problems.append(
                        f"{rel}:{n}: {name} is not a configuration key; a script's own setting "
                        "must not start with OCPIZZA_ (the binaries refuse unknown ones)"
                    )
    return f"{names} OCPIZZA_* name(s) in {len(scripts)} script(s), all configuration keys"


OBJECT_STRUCT = re.compile(r"#\[derive\([^)]*\bObject\b[^)]*\)\][^{;]*?\bstruct\s+(\w+)\s*\{", re.S)
REQUEST_BODY = re.compile(r":\s*(?:Optional)?Json<(\w+)>")
STRING_FIELD = re.compile(r"(\w+)\s*:\s*(?:(?:Option|Vec|MaybeUndefined)<)?String\b")


def check_request_text(files: list[RustFile], problems: list[str]) -> str:
    bodies: dict[str, list[tuple[RustFile, int, str]]] = {}
    roots: set[str] = set()
    for f in files:
        if not f.rel.startswith("app/src/"):
            continue
        for m in OBJECT_STRUCT.finditer(f.code):
            if f.is_test(m.start()):
                continue
            end = f.code.find("\n}", m.end())
            bodies.setdefault(m.group(1), []).append((f, m.end(), f.code[m.end() : end]))
        roots.update(m.group(1) for m in REQUEST_BODY.finditer(f.code) if not f.is_test(m.start()))
    seen: set[str] = set()
    todo = [r for r in roots if r in bodies]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for _, _, body in bodies[name]:
            todo += [t for t in re.findall(r"\b([A-Z]\w*)\b", body) if t in bodies]
    for name in sorted(seen):
        for f, start, body in bodies[name]:
            for m in STRING_FIELD.finditer(body):
                problems.append(
                    f"request-text: {f.rel}:{f.line(start + m.start())}: {name}.{m.group(1)} is a "
                    "String: use http::strict::Text (poem-openapi's String takes numbers too)"
                )
    return f"{len(seen)} request body type(s), no String field" if not problems else "String fields"


def main() -> int:
    rust = [read_rust(rel) for src, _ in CRATES for rel in rust_files(src)]
    summaries = []
    failed = False
    for name, run in (
        ("architecture", check_architecture),
        ("status-literals", lambda p: check_status_literals(rust, p)),
        ("imports", lambda p: check_imports(rust, p)),
        ("design", check_design),
        ("script-env", check_script_env),
        ("request-text", lambda p: check_request_text(rust, p)),
    ):
        problems: list[str] = []
        summary = run(problems)
        for line in problems:
            print(line)
        failed |= bool(problems)
        summaries.append(f"{'FAIL' if problems else 'ok  '} {name}: {summary}")
    print()
    for s in summaries:
        print(s)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
