"""The checks the page crawl runs on every page: axe-core in the browser (WCAG 2.1 A and AA,
every impact) and the Nu HTML checker (vnu.jar, run with Java) on the HTML as served.

Kept apart from the crawl so that the planted-fault test runs exactly the same checks."""

import functools
import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import axe_playwright_python
from django.conf import settings

AXE_SCRIPT = Path(axe_playwright_python.__file__).parent / "axe.min.js"
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
# make setup-test installs it (package.json, package-lock.json); VNU_JAR overrides the path.
VNU_JAR = Path(
    os.environ.get("VNU_JAR")
    or settings.BASE_DIR / "var/node/node_modules/vnu-jar/build/dist/vnu.jar"
)
# The checker's HTML schema recurses deeply: the default thread stack overflows (vnu says so
# and asks for -Xss). C1 only and the serial collector: it is one short batch, and this
# starts in about a third of the time of the default JIT.
VNU_JAVA_OPTIONS = ["-Xss8m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]
# Messages of the checker that are not faults of the page, each with its reason. Empty: any
# message added here must say why.
VNU_IGNORED: dict[str, str] = {}


def axe_violations(page, *, contrast: bool = True) -> list[str]:
    """axe-core's violations on the page now, one line each: rule, impact, help and the
    first few elements. axe is in every page of a context opened with `with_axe`.

    contrast=False leaves out the colour-contrast rule, for a page whose twin in another
    language was checked with it: contrast follows from the stylesheet and the elements, which
    are the same in every language, and the rule takes two thirds of axe's time."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Not a script tag: the site's Content-Security-Policy refuses inline scripts.
        page.evaluate(_axe_source())
    options = AXE_OPTIONS
    if not contrast:
        options = AXE_OPTIONS | {"rules": {"color-contrast": {"enabled": False}}}
    results = page.evaluate("options => axe.run(document, options)", options)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes'][:3]]}"
        for v in results["violations"]
    ]


@functools.cache
def _axe_source() -> str:
    return AXE_SCRIPT.read_text(encoding="utf-8")


def with_axe(context) -> None:
    """Load axe-core into every page of a browser context before the page's own scripts (one
    script per page, instead of sending its 500 kB over the wire for each check)."""
    context.add_init_script(path=str(AXE_SCRIPT))


@dataclass
class HtmlBatch:
    """Pages' HTML as served, written to a folder, validated in one run of the checker."""

    folder: Path
    urls: dict[str, str] = field(default_factory=dict)

    def add(self, url: str, html: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"page-{len(self.urls):04d}.html"
        path.write_text(html, encoding="utf-8")
        self.urls[path.resolve().as_uri()] = url

    def errors(self) -> list[str]:
        """Every error of every page: `URL:line: message`."""
        if not self.urls:
            return []
        if not VNU_JAR.is_file():
            raise FileNotFoundError(f"{VNU_JAR} is missing: run `make setup-test`")
        files = [uri.removeprefix("file://") for uri in self.urls]
        completed = subprocess.run(
            ["java", *VNU_JAVA_OPTIONS, "-jar", str(VNU_JAR), "--errors-only", "--format",
             "json", "--stdout", *files],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )  # fmt: skip
        try:
            messages = json.loads(completed.stdout)["messages"]
        except (json.JSONDecodeError, KeyError) as error:
            raise RuntimeError(
                f"the Nu HTML checker failed ({completed.returncode}):\n"
                f"{completed.stdout}\n{completed.stderr}"
            ) from error
        found = []
        for message in messages:
            if message.get("type") not in {"error", "non-document-error"}:
                continue
            if message["message"] in VNU_IGNORED:
                continue
            url = self.urls.get(_file_uri(message.get("url", "")), message.get("url", ""))
            found.append(f"{url}:{message.get('lastLine', '?')}: {message['message']}")
        return found


def _file_uri(uri: str) -> str:
    """vnu writes file:/path; Path.as_uri writes file:///path."""
    return "file://" + uri.removeprefix("file:").removeprefix("//")
