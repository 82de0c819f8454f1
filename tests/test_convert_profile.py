"""The profiles packgen starts LibreOffice on record the installed version, so that LibreOffice
skips the graphics self-test it otherwise runs at every headless start."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from packgen.convert.profile import REGISTRY, installed_version, prepare_profile
from packgen.convert.soffice import profile_option

ITEM = '<prop oor:name="ooSetupLastVersion" oor:op="fuse"><value>{}</value></prop>'
SELF_TEST_LOG = Path("user") / "GraphicsRenderTests.log"  # LibreOffice writes it after the test


def fake_installation(tmp_path: Path, product_key: str) -> str:
    """A soffice (a symbolic link, as /usr/bin/soffice is) beside a bootstraprc."""
    program = tmp_path / "lib" / "program"
    program.mkdir(parents=True)
    (program / "soffice").write_text("#!/bin/sh\n")
    (program / "soffice").chmod(0o755)
    (program / "bootstraprc").write_text(f"[Bootstrap]\nProductKey={product_key}\n")
    link = tmp_path / "bin" / "soffice"
    link.parent.mkdir()
    link.symlink_to(program / "soffice")
    return str(link)


def test_a_new_profile_gets_the_installed_version(tmp_path: Path) -> None:
    soffice = fake_installation(tmp_path, "LibreOffice 24.8")
    prepare_profile(tmp_path / "profile", soffice)
    registry = (tmp_path / "profile" / REGISTRY).read_text()
    assert ITEM.format("24.8") in registry
    assert registry.rstrip().endswith("</oor:items>")


def test_an_older_version_is_replaced_and_other_settings_kept(tmp_path: Path) -> None:
    soffice = fake_installation(tmp_path, "LibreOffice 7.4")
    registry = tmp_path / "profile" / REGISTRY
    registry.parent.mkdir(parents=True)
    other = '<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="X"/></item>\n'
    old = '<item oor:path="/org.openoffice.Setup/Product">' + ITEM.format("7.3") + "</item>\n"
    registry.write_text(f"<?xml?>\n<oor:items>\n{other}{old}</oor:items>\n")
    prepare_profile(tmp_path / "profile", soffice)
    text = registry.read_text()
    assert ITEM.format("7.4") in text and ITEM.format("7.3") not in text
    assert other in text
    before = registry.stat().st_mtime_ns
    prepare_profile(tmp_path / "profile", soffice)  # already there: not written again
    assert registry.stat().st_mtime_ns == before


def test_nothing_is_written_without_a_version_or_to_a_registry_it_does_not_know(
    tmp_path: Path,
) -> None:
    prepare_profile(tmp_path / "none", str(tmp_path / "no-such-soffice"))
    assert not (tmp_path / "none").exists()
    soffice = fake_installation(tmp_path, "LibreOffice")  # no version in it
    assert installed_version(soffice) is None
    prepare_profile(tmp_path / "unversioned", soffice)
    assert not (tmp_path / "unversioned").exists()
    soffice = fake_installation(tmp_path / "other", "LibreOffice 7.4")
    registry = tmp_path / "damaged" / REGISTRY
    registry.parent.mkdir(parents=True)
    registry.write_text("<oor:items>\n<item")  # cut short: left as it is
    prepare_profile(tmp_path / "damaged", soffice)
    assert registry.read_text() == "<oor:items>\n<item"


@pytest.mark.soffice
def test_libreoffice_skips_its_self_test_on_a_prepared_profile(tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    assert soffice and installed_version(soffice), "the installed LibreOffice names its version"
    doc = tmp_path / "note.txt"
    doc.write_text("A note for the pack.\n")
    for name in ("plain", "prepared"):
        profile = tmp_path / name
        if name == "prepared":
            prepare_profile(profile, soffice)
        command = [soffice, profile_option(profile), "--headless", "--convert-to", "pdf"]
        command += ["--outdir", str(tmp_path / name / "pdf"), str(doc)]
        subprocess.run(command, check=True, capture_output=True, timeout=120)
        assert (tmp_path / name / "pdf" / "note.pdf").stat().st_size > 0
    # The control: as installed, a headless LibreOffice runs the test (and logs it).
    assert (tmp_path / "plain" / SELF_TEST_LOG).exists()
    assert not (tmp_path / "prepared" / SELF_TEST_LOG).exists()
