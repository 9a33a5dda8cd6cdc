"""Build the frozen program: one folder, a .zip of it, and the installer's version file.

    python installer/build.py [--no-archive] [--clean]

1. Checks that the installed package metadata (what the frozen program reports
   as its version) matches pyproject.toml, so a stale editable install cannot
   ship the wrong version.
2. Runs PyInstaller with installer/station-desktop.spec into dist/station-desktop/
   (work files in build/pyinstaller/).
3. Zips the folder to dist/station-desktop-<version>-<platform>.zip (a Windows
   user opens a .zip without extra tools; symbolic links of the Linux build are
   stored as links, not copied twice).
4. Writes installer/version.iss (``#define AppVersion "<version>"``), which
   installer/station-desktop.iss includes; then ISCC can be run on Windows.
5. Prints the folder and archive sizes in MB (1 MB = 1 000 000 bytes).

Needs the build extra: ``pip install -e '.[build]'``.
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import subprocess
import sys
import time
import tomllib
import zipfile
from dataclasses import asdict, dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

INSTALLER = Path(__file__).resolve().parent
ROOT = INSTALLER.parent
SPEC = INSTALLER / "station-desktop.spec"
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
VERSION_ISS = INSTALLER / "version.iss"
MB = 1_000_000


@dataclass
class BuildResult:
    name: str
    version: str
    folder: str
    executable: str
    archive: str | None
    folder_mb: float
    archive_mb: float | None
    files: int
    build_seconds: float


def project() -> tuple[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return data["name"], data["version"]


def check_installed_version(name: str, wanted: str) -> None:
    try:
        installed = version(name)
    except PackageNotFoundError:
        sys.exit(f"{name} is not installed: run pip install -e '.[build]' first.")
    if installed != wanted:
        sys.exit(f"installed {name} is {installed} but pyproject.toml says {wanted}: "
                 "run pip install -e '.[build]' again so the frozen program reports the right version.")


def folder_size(folder: Path) -> tuple[int, int]:
    """Bytes and number of files under ``folder``; links are counted as links, not followed."""
    total = files = 0
    for path in folder.rglob("*"):
        if path.is_symlink() or path.is_file():
            total += path.lstat().st_size
            files += 1
    return total, files


def write_zip(folder: Path, archive: Path) -> None:
    """``folder`` as ``archive``, with ``folder.name`` as its top directory."""
    tmp = archive.with_name(archive.name + ".part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for path in sorted(folder.rglob("*")):
            arcname = str(path.relative_to(folder.parent)).replace(os.sep, "/")
            if path.is_symlink():
                info = zipfile.ZipInfo(arcname)
                info.create_system = 3  # Unix: the mode below says "symbolic link"
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                zf.writestr(info, os.readlink(path))
            elif path.is_file():
                zf.write(path, arcname)
    tmp.replace(archive)


def write_version_iss(app_version: str) -> None:
    VERSION_ISS.write_text(
        "; Written by installer/build.py from pyproject.toml; do not edit.\n"
        "#ifndef AppVersion\n"
        f'  #define AppVersion "{app_version}"\n'
        "#endif\n",
        encoding="utf-8")


def platform_tag() -> str:
    if sys.platform == "win32":
        return "windows-x64"
    return f"{sys.platform}-{os.uname().machine}"


def build(*, archive: bool = True, clean: bool = False, quiet: bool = False,
          dist: Path = DIST, work: Path = WORK) -> BuildResult:
    name, app_version = project()
    check_installed_version(name, app_version)
    write_version_iss(app_version)
    cmd = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--distpath", str(dist),
           "--workpath", str(work), str(SPEC)]
    if clean:
        cmd.insert(3, "--clean")
    if quiet:
        cmd[3:3] = ["--log-level", "WARN"]
    started = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT)
    folder = dist / name
    exe = folder / (name + (".exe" if sys.platform == "win32" else ""))
    if not exe.exists():
        sys.exit(f"PyInstaller finished but {exe} is missing.")
    zip_path = None
    if archive:
        zip_path = dist / f"{name}-{app_version}-{platform_tag()}.zip"
        write_zip(folder, zip_path)
    seconds = time.perf_counter() - started
    size, files = folder_size(folder)
    return BuildResult(
        name=name, version=app_version, folder=str(folder), executable=str(exe),
        archive=str(zip_path) if zip_path else None, folder_mb=round(size / MB, 1),
        archive_mb=round(zip_path.stat().st_size / MB, 1) if zip_path else None,
        files=files, build_seconds=round(seconds, 1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-archive", action="store_true", help="skip the .zip")
    ap.add_argument("--clean", action="store_true", help="empty PyInstaller's cache first")
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    args = ap.parse_args()
    result = build(archive=not args.no_archive, clean=args.clean)
    if args.json:
        print(json.dumps(asdict(result), indent=2))
        return
    print(f"{result.name} {result.version}: built in {result.build_seconds} s")
    print(f"  folder   {result.folder}  {result.folder_mb} MB in {result.files} files")
    if result.archive:
        print(f"  archive  {result.archive}  {result.archive_mb} MB")
    print(f"  installer version file {VERSION_ISS.relative_to(ROOT)} ({result.version}); "
          "on Windows: ISCC installer\\station-desktop.iss")


if __name__ == "__main__":
    main()
