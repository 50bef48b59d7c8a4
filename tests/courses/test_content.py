"""The content pipeline: parsing, validation with path:line errors, sanitized rendering."""

import textwrap
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from courses.pipeline.render import render_markdown
from courses.pipeline.validate import load_content

LESSON = """\
---
slug: {slug}
title: {title}
order: {order}
minutes: 10
access: public
---
## Heading

Body text for {slug}.
"""

QUIZ = """\
slug: basics-quiz
title: Basics quiz
pass_mark: 70
questions:
  - key: q1
    type: single
    prompt: Pick one
    choices:
      - key: a
        text: Right
        correct: true
      - key: b
        text: Wrong
"""


def write_course(root: Path, *, lessons=("one", "two"), quiz: str | None = QUIZ) -> Path:
    course = root / "courses" / "basics"
    module = course / "01-module"
    module.mkdir(parents=True)
    (course / "course.md").write_text(
        "---\nslug: basics\ntitle: Basics\nlanguage: en\norder: 1\n---\nIntro.\n"
    )
    (module / "module.md").write_text(
        "---\nslug: module-one\ntitle: Module one\norder: 1\nobjectives:\n  - Explain keys\n---\n"
    )
    for order, slug in enumerate(lessons, start=1):
        (module / f"{order:02d}-{slug}.md").write_text(
            LESSON.format(slug=slug, title=slug.title(), order=order)
        )
    if quiz is not None:
        (module / "quiz.yaml").write_text(quiz)
    return module


def test_real_content_is_valid_and_passes_the_editorial_review():
    from django.conf import settings

    from courses.pipeline.editorial import content_review
    from courses.pipeline.sync import content_validate

    courses, errors = content_validate(root=settings.CONTENT_DIR)
    assert errors == []
    assert [str(problem) for problem in content_review(courses)] == []
    assert courses[0].slug == "crypto-investigation"
    modules = courses[0].modules
    assert len(modules) == 9
    for module in modules:
        assert len(module.lessons) >= 4, module.slug
        assert len(module.objectives) >= 3, module.slug
        assert len(module.glossary) >= 10, module.slug
        assert len(module.extra_files["quiz.yaml"].data["questions"]) >= 12, module.slug
        for lesson in module.lessons:
            assert "```check" in lesson.doc.body, lesson.doc.path


def test_valid_tree_loads_in_order(tmp_path):
    write_course(tmp_path, lessons=("keys", "blocks"))
    courses, errors = load_content(tmp_path)
    assert errors == []
    module = courses[0].modules[0]
    assert [lesson.slug for lesson in module.lessons] == ["keys", "blocks"]
    assert module.objectives == ["Explain keys"]


def test_errors_name_file_and_line(tmp_path):
    module = write_course(tmp_path)
    (module / "01-one.md").write_text(
        "---\nslug: one\ntitle: One\norder: 1\nminutes: -5\naccess: secret\ncolour: red\n---\nBody\n"
    )
    _courses, errors = load_content(tmp_path)
    messages = {str(error) for error in errors}
    path = "content/courses/basics/01-module/01-one.md".replace("content/", f"{tmp_path.name}/")
    assert f"{path}:5: 'minutes' must be a whole number from 1 to 600" in messages
    assert f"{path}:6: 'access' must be one of public, le_only" in messages
    assert f"{path}:7: unknown key 'colour'" in messages


def test_duplicate_lesson_slug_is_reported(tmp_path):
    module = write_course(tmp_path, lessons=("same",))
    (module / "02-same.md").write_text(LESSON.format(slug="same", title="Again", order=2))
    _courses, errors = load_content(tmp_path)
    assert any("duplicate lesson slug 'same'" in str(error) for error in errors)


def test_missing_front_matter_is_reported(tmp_path):
    module = write_course(tmp_path)
    (module / "01-one.md").write_text("# No front matter\n")
    _courses, errors = load_content(tmp_path)
    assert any(
        str(e).endswith("01-one.md:1: missing front matter: the file must start with ---")
        for e in errors
    )


def test_quiz_answer_key_is_checked(tmp_path):
    bad = QUIZ.replace("        text: Wrong\n", "        text: Wrong\n        correct: true\n")
    write_course(tmp_path, quiz=bad)
    _courses, errors = load_content(tmp_path)
    assert [str(e).split(": ", 1)[1] for e in errors] == [
        "a single-choice question needs exactly one correct choice, has 2"
    ]
    assert str(errors[0]).split(":")[1] == "5"  # the line of the question


def test_invalid_yaml_reports_line(tmp_path):
    write_course(tmp_path, quiz="slug: x\ntitle: [unclosed\n")
    _courses, errors = load_content(tmp_path)
    assert len(errors) == 1
    assert "quiz.yaml:" in str(errors[0]) and "invalid YAML" in str(errors[0])


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "<svg><script>alert(1)</script></svg>",
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
        '<iframe src="https://evil.example"></iframe>',
        '<p style="background:url(javascript:alert(1))">x</p>',
        '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    ],
)
def test_rendering_leaves_nothing_active(payload):
    html = render_markdown(f"Text\n\n{payload}\n")
    lowered = html.lower()
    for needle in ("<script", "onerror", "javascript:", "<svg", "<iframe", "style=", "data:text"):
        assert needle not in lowered


def test_rendering_keeps_tables_and_code():
    html = render_markdown(
        textwrap.dedent(
            """
            | a | b |
            |---|---|
            | 1 | 2 |

            ```
            bc1qexample
            ```

            [explorer](https://example.org)
            """
        )
    )
    assert '<table tabindex="0">' in html and "<td>1</td>" in html
    assert '<pre tabindex="0"><code>bc1qexample' in html
    assert 'rel="noopener noreferrer"' in html


def test_code_blocks_are_keyboard_scrollable_whatever_the_source_says():
    """A wide code block (or table) scrolls sideways; only a focusable one scrolls with the
    keyboard."""
    html = render_markdown('```\nbc1qexample\n```\n\n<pre tabindex="-1">raw</pre>\n')
    assert html.count('<pre tabindex="0">') == 2
    assert 'tabindex="-1"' not in html


def test_check_command_prints_errors_and_fails(tmp_path, capsys):
    module = write_course(tmp_path)
    (module / "01-one.md").write_text(
        "---\nslug: One Bad\ntitle: One\norder: 1\nminutes: 5\n---\nx\n"
    )
    with pytest.raises(CommandError, match="1 content error"):
        call_command("sync_content", "--check", "--path", str(tmp_path))
    assert "01-one.md:2: slug 'One Bad' must be" in capsys.readouterr().err


def _set_course_key(module: Path, line: str) -> None:
    course_md = module.parent / "course.md"
    course_md.write_text(course_md.read_text().replace("order: 1\n", f"order: 1\n{line}\n", 1))


@pytest.mark.parametrize("value", ["0", "-3", "twelve", "1.5", "true", "241"])
def test_valid_for_months_must_be_a_positive_whole_number(tmp_path, capsys, value):
    module = write_course(tmp_path)
    _set_course_key(module, f"valid_for_months: {value}")
    with pytest.raises(CommandError, match="1 content error"):
        call_command("sync_content", "--check", "--path", str(tmp_path))
    assert (
        "basics/course.md:6: 'valid_for_months' must be a whole number from 1 to 240"
        in capsys.readouterr().err
    )


def test_valid_for_months_is_optional_and_read_when_given(tmp_path):
    module = write_course(tmp_path)
    courses, errors = load_content(tmp_path)
    assert errors == [] and courses[0].valid_for_months is None
    _set_course_key(module, "valid_for_months: 24")
    courses, errors = load_content(tmp_path)
    assert errors == [] and courses[0].valid_for_months == 24
