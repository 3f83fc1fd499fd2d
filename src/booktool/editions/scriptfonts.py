"""Fonts for the scripts the book's own fonts lack: the Noto faces named by language.

Linux Libertine and Biolinum draw Latin, Greek and Cyrillic. For a book (or a passage) in a
language written in another script, the print CSS names a Noto face after them (the block
``/* Scripts: fonts by language */`` of ``layouts/print.css``, which follows :data:`FACES`);
Debian's ``fonts-noto-cjk`` and ``fonts-noto-core`` hold them (``make sysdeps`` installs them).
This module holds that table, finds the faces' files through fontconfig (``fc-list``: the fonts
WeasyPrint draws with), and names the package that holds a script's fonts for the
``missing-glyphs`` warning. Only these named families are ever read from outside the project:
they are booktool's fonts, installed with it, never a file a project chooses.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ScriptFaces:
    """The Noto faces for the languages ``languages`` (BCP 47 prefixes, as CSS ``:lang()``)."""

    languages: tuple[str, ...]
    serif: str
    sans: str

    @property
    def families(self) -> tuple[str, ...]:
        return (self.serif,) if self.sans == self.serif else (self.serif, self.sans)


#: In the print CSS's order: a later entry wins over an earlier one that also matches (zh-TW
#: matches "zh" and "zh-TW": Traditional).
FACES: tuple[ScriptFaces, ...] = (
    ScriptFaces(("zh",), "Noto Serif CJK SC", "Noto Sans CJK SC"),
    ScriptFaces(("zh-Hant", "zh-TW"), "Noto Serif CJK TC", "Noto Sans CJK TC"),
    ScriptFaces(("zh-HK", "zh-MO"), "Noto Serif CJK HK", "Noto Sans CJK HK"),
    ScriptFaces(("ja",), "Noto Serif CJK JP", "Noto Sans CJK JP"),
    ScriptFaces(("ko",), "Noto Serif CJK KR", "Noto Sans CJK KR"),
    ScriptFaces(("ar", "fa", "ps", "ckb", "sd", "ug"), "Noto Naskh Arabic", "Noto Sans Arabic"),
    ScriptFaces(("ur",), "Noto Nastaliq Urdu", "Noto Sans Arabic"),
    ScriptFaces(("he", "yi"), "Noto Serif Hebrew", "Noto Sans Hebrew"),
    ScriptFaces(("hi", "mr", "ne", "sa"), "Noto Serif Devanagari", "Noto Sans Devanagari"),
    ScriptFaces(("bn", "as"), "Noto Serif Bengali", "Noto Sans Bengali"),
    ScriptFaces(("pa",), "Noto Serif Gurmukhi", "Noto Sans Gurmukhi"),
    ScriptFaces(("gu",), "Noto Serif Gujarati", "Noto Sans Gujarati"),
    ScriptFaces(("ta",), "Noto Serif Tamil", "Noto Sans Tamil"),
    ScriptFaces(("te",), "Noto Serif Telugu", "Noto Sans Telugu"),
    ScriptFaces(("kn",), "Noto Serif Kannada", "Noto Sans Kannada"),
    ScriptFaces(("ml",), "Noto Serif Malayalam", "Noto Sans Malayalam"),
    ScriptFaces(("si",), "Noto Serif Sinhala", "Noto Sans Sinhala"),
    ScriptFaces(("th",), "Noto Serif Thai", "Noto Sans Thai"),
    ScriptFaces(("lo",), "Noto Serif Lao", "Noto Sans Lao"),
    ScriptFaces(("km",), "Noto Serif Khmer", "Noto Sans Khmer"),
    ScriptFaces(("my",), "Noto Serif Myanmar", "Noto Sans Myanmar"),
    ScriptFaces(("am", "ti"), "Noto Serif Ethiopic", "Noto Sans Ethiopic"),
    ScriptFaces(("hy",), "Noto Serif Armenian", "Noto Sans Armenian"),
    ScriptFaces(("ka",), "Noto Serif Georgian", "Noto Sans Georgian"),
    ScriptFaces(("bo",), "Noto Serif Tibetan", "Noto Serif Tibetan"),
)

#: Unicode scripts (ISO 15924 codes) whose fonts a Debian package holds.
CJK_SCRIPTS = frozenset({"Hani", "Hira", "Kana", "Hang", "Bopo"})
CORE_SCRIPTS = frozenset(
    {
        "Arab", "Hebr", "Deva", "Beng", "Guru", "Gujr", "Orya", "Taml", "Telu", "Knda", "Mlym",
        "Sinh", "Thai", "Laoo", "Khmr", "Mymr", "Ethi", "Armn", "Geor", "Tibt", "Thaa", "Syrc",
        "Cher", "Cans", "Mong", "Tfng", "Vaii", "Nkoo", "Adlm", "Bali", "Java", "Tale", "Lana",
        "Egyp", "Runr", "Ogam", "Copt", "Goth", "Linb", "Xsux", "Phnx",
    }
)  # fmt: skip


def faces_for(language: str) -> ScriptFaces | None:
    """The faces the print CSS gives text in ``language``, if it names any."""
    found = None
    lowered = language.lower()
    for faces in FACES:
        tags = [tag.lower() for tag in faces.languages]
        if any(lowered == tag or lowered.startswith(tag + "-") for tag in tags):
            found = faces
    return found


def script_name(char: str) -> str:
    """The Unicode script of ``char`` by name ("Devanagari", "Han"); "Unknown" for none."""
    from fontTools import unicodedata as font_unicodedata

    return str(font_unicodedata.script_name(font_unicodedata.script(char)))


def package_for(char: str) -> str | None:
    """The Debian package whose fonts draw ``char``'s script, if one of booktool's does."""
    from fontTools import unicodedata as font_unicodedata

    code = font_unicodedata.script(char)
    if code in CJK_SCRIPTS:
        return "fonts-noto-cjk"
    if code in CORE_SCRIPTS:
        return "fonts-noto-core"
    return None


def describe(char: str) -> str:
    """``'ሀ' (U+1200 ETHIOPIC SYLLABLE HA, Ethiopic)``: the character, its name, its script."""
    shown = f"'{char}' " if char.isprintable() and unicodedata.category(char)[0] != "C" else ""
    name = unicodedata.name(char, "unnamed character")
    return f"{shown}(U+{ord(char):04X} {name}, {script_name(char)})"


def install_hint(chars: list[str]) -> str:
    """What to do about characters no font draws: the packages for their scripts, or a font
    with those scripts in layouts/."""
    packages = sorted({p for c in chars if (p := package_for(c)) is not None})
    scripts = sorted({script_name(c) for c in chars}, key=str.lower)
    listed = ", ".join(scripts)
    add = f"add a font with the {listed} script{'s' if len(scripts) > 1 else ''} to layouts/ "
    add += "(@font-face in print.css)"
    return f"install {' and '.join(packages)} or {add}" if packages else add


@dataclass(frozen=True)
class FontFile:
    """One face fontconfig knows: its file, its index in a collection, family and style."""

    path: Path
    index: int
    family: str
    style: str


@functools.cache
def installed_faces() -> tuple[FontFile, ...]:
    """Every face of the :data:`FACES` families fontconfig lists (none without fontconfig)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return ()
    try:
        listing = subprocess.run(
            [fc_list, "--format", "%{file}\t%{index}\t%{family[0]}\t%{style[0]}\n", ":"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    wanted = {family for faces in FACES for family in faces.families}
    found = []
    for line in sorted(set(listing.splitlines())):
        path, index, family, style = [*line.split("\t"), "", "", ""][:4]
        if family in wanted and index.isdigit():
            found.append(FontFile(Path(path), int(index), family, style))
    return tuple(found)


def files_of(families: tuple[str, ...]) -> list[FontFile]:
    """The installed faces of ``families`` (each style), in a stable order."""
    return [face for face in installed_faces() if face.family in families]


def installed_stamp(language: str) -> str:
    """The files, sizes and times of the faces the print CSS gives ``language``: a part
    rendered with other faces installed is not taken from the cache."""
    faces = faces_for(language)
    if faces is None:
        return ""
    stamps = []
    for path in sorted({face.path for face in files_of(faces.families)}):
        with contextlib.suppress(OSError):
            stat = path.stat()
            stamps.append(f"{path} {stat.st_size} {stat.st_mtime_ns}")
    return "\n".join(stamps)


def font_files(language: str, wanted: set[str]) -> dict[str, bytes]:
    """The files of the faces the print CSS gives ``language`` whose SHA-256 is in ``wanted``
    (the fonts the parts embedded), by SHA-256: the join cuts one subset of each."""
    faces = faces_for(language)
    if faces is None:
        return {}
    found = {}
    for path in sorted({face.path for face in files_of(faces.families)}):
        try:
            data = path.read_bytes()
        except OSError:
            continue
        digest = hashlib.sha256(data).hexdigest()
        if digest in wanted:
            found[digest] = data
    return found
