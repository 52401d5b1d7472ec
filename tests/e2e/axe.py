"""axe-core (npm ``axe-core``, from our node_modules) in a Playwright page: a portal page must
have no critical or serious accessibility violation, at a desktop width and at a 390 px phone
width (where it must not scroll sideways either).

    from tests.e2e.axe import assert_accessible, check_page_at_widths

    assert_accessible(page)                      # the page as it is now
    check_page_at_widths(page, url)              # both widths, and no sideways scroll at 390
"""

from __future__ import annotations

from pathlib import Path

AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
BLOCKING = ("critical", "serious")


def axe_violations(page, *, impacts=BLOCKING) -> list[dict]:
    """The violations of the impacts given, found by axe-core in the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in impacts]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        targets = [", ".join(node["target"]) for node in v["nodes"][:5]]
        lines.append(f"{v['impact']}: {v['id']} ({v['help']}) at {targets}")
    return "\n".join(lines)


def assert_accessible(page, where: str = "") -> None:
    violations = axe_violations(page)
    assert not violations, f"{where or page.url}:\n{describe(violations)}"


def assert_no_sideways_scroll(page) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"{page.url} is {overflow}px wider than the window"


def check_page_at_widths(page, url: str) -> None:
    """Open ``url`` at the desktop and the phone width; axe each, and at 390 px the page
    itself must not be wider than the window (wide tables scroll in their own box)."""
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        page.goto(url)
        page.wait_for_load_state("networkidle")
        assert_accessible(page, f"{url} at {size['width']} px")
        if size is PHONE:
            assert_no_sideways_scroll(page)
    page.set_viewport_size(DESKTOP)
