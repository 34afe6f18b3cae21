"""Checks of an XLSForm by the field's own tools: pyxform's conversion and ODK Validate (JavaRosa, in Java).

``pyxform.xls2xform.convert(..., validate=True)`` converts the workbook and
runs ODK Validate, the jar that ships inside the pyxform wheel
(``pyxform/validators/odk_validate/bin/ODK_Validate.jar``), in one JVM per
form. :func:`odk_validate` runs that same jar once over many XForms (it takes
several paths), so a batch costs one JVM start. Each function returns one
line per problem, empty when the form passes with no warning.
"""

from __future__ import annotations

import io
import os
import subprocess
import tempfile
from collections.abc import Sequence


def convert(xlsx: bytes, *, validate: bool) -> tuple[str, list[str]]:
    """``(XForm XML, problems)``: pyxform's errors or warnings, and with ``validate`` ODK Validate's."""
    from pyxform.errors import PyXFormError
    from pyxform.validators.odk_validate import ODKValidateError
    from pyxform.xls2xform import convert as pyxform_convert

    warnings: list[str] = []
    try:
        result = pyxform_convert(io.BytesIO(xlsx), warnings=warnings, validate=validate, file_type=".xlsx")
    except (PyXFormError, ODKValidateError) as exc:
        return "", [f"{type(exc).__name__}: {exc}"]
    return result.xform, [*warnings, *(w for w in result.warnings if w not in warnings)]


def odk_validate(xforms: Sequence[str], timeout: float = 300) -> list[str]:
    """ODK Validate over every XForm in one run: empty when all are valid and it printed no warning."""
    from pyxform.validators.odk_validate import ODK_VALIDATE_PATH, check_java_available

    check_java_available()
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for i, xml in enumerate(xforms):
            path = os.path.join(folder, f"form{i}.xml")
            with open(path, "w", encoding="utf-8") as f:
                f.write(xml)
            paths.append(path)
        run = subprocess.run(["java", "-Djava.awt.headless=true", "-jar", ODK_VALIDATE_PATH, *paths],
                             capture_output=True, text=True, timeout=timeout, check=False)
    problems = [f"ODK Validate exit code {run.returncode}"] if run.returncode else []
    if run.stderr.strip():
        problems.append(run.stderr.strip())
    if run.returncode == 0 and run.stdout.count(">> Xform is valid!") != len(xforms):
        problems.append(f"ODK Validate said valid for {run.stdout.count('>> Xform is valid!')} of {len(xforms)} "
                        "forms")
    return problems
