"""The richer content pipeline: glossary, checks, links, images, translations, fast sync."""

import hashlib
from pathlib import Path

import pytest
from django.urls import reverse

from courses.models import ContentAsset, GlossaryTerm, Lesson, LessonTranslation
from courses.pipeline.render import render_content
from courses.pipeline.sync import ContentInvalid, content_sync, content_validate
from courses.pipeline.validate import load_content
from tests.courses.test_content import LESSON, write_course

GLOSSARY = """\
terms:
  - term: UTXO
    aliases: [unspent output]
    definition: An unspent transaction output.
  - term: Change address
    definition: Where a wallet sends the rest of an input.
"""

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 50"><title>Flow</title>'
    '<rect x="1" y="1" width="40" height="20" fill="#eef"/></svg>'
)


def lesson_text(body: str, slug: str = "one", order: int = 1, extra: str = "") -> str:
    return f"---\nslug: {slug}\ntitle: {slug.title()}\norder: {order}\nminutes: 10\n{extra}---\n{body}\n"


def errors_for(root: Path) -> list[str]:
    courses, errors = load_content(root)
    if not errors:
        errors = render_content(courses, root)
    return [str(error) for error in errors]


def rel(root: Path, name: str) -> str:
    return f"{root.name}/courses/basics/01-module/{name}"


def test_glossary_links_resolve_and_unknown_terms_are_reported(tmp_path):
    module = write_course(tmp_path)
    (module / "glossary.yaml").write_text(GLOSSARY)
    (module / "01-one.md").write_text(
        lesson_text("Intro.\n\nSee [[utxo]] and [[unspent output|outputs]].\n\nAlso [[Mempool]].")
    )
    assert errors_for(tmp_path) == [
        f"{rel(tmp_path, '01-one.md')}:11: glossary term 'Mempool' is not defined"
    ]


def test_check_blocks_are_validated_with_lines(tmp_path):
    module = write_course(tmp_path)
    body = "Intro.\n\n```check\nquestion: Which?\nchoices:\n  - text: A\n    correct: true\n  - text: B\n    correct: true\n```\n"
    (module / "01-one.md").write_text(lesson_text(body))
    assert errors_for(tmp_path) == [
        f"{rel(tmp_path, '01-one.md')}:9: a check block needs exactly one correct choice, has 2"
    ]


def test_unclosed_check_block_is_reported(tmp_path):
    module = write_course(tmp_path)
    (module / "01-one.md").write_text(lesson_text("Intro.\n\n```check\nquestion: x\n"))
    assert any("check block is not closed" in e for e in errors_for(tmp_path))


def test_lesson_links_must_exist(tmp_path):
    module = write_course(tmp_path)
    (module / "01-one.md").write_text(lesson_text("See [two](02-two.md) and [gone](03-gone.md)."))
    assert errors_for(tmp_path) == [
        f"{rel(tmp_path, '01-one.md')}:7: broken link: no lesson at '03-gone.md'"
    ]


@pytest.mark.parametrize(
    ("markdown", "message"),
    [
        ("![](media/flow.svg)", "image 'media/flow.svg' has no alt text"),
        ("![A flow](media/missing.svg)", "missing image 'media/missing.svg'"),
        ("![A flow](https://example.org/x.png)", "must be a file in content/"),
        ("![A flow](../../../../etc/passwd)", "missing image"),
    ],
)
def test_image_problems_are_reported(tmp_path, markdown, message):
    module = write_course(tmp_path)
    (module / "media").mkdir()
    (module / "media" / "flow.svg").write_text(SVG)
    (module / "01-one.md").write_text(lesson_text(markdown))
    found = errors_for(tmp_path)
    assert len(found) == 1 and message in found[0]


@pytest.mark.parametrize(
    "svg",
    [
        SVG.replace("<title>", "<script>alert(1)</script><title>"),
        SVG.replace("<rect", '<rect onclick="alert(1)"'),
        SVG.replace("<rect", '<image href="https://example.org/x.png"/><rect'),
        SVG.replace("<rect", "<foreignObject><p>x</p></foreignObject><rect"),
        '<!DOCTYPE svg [<!ENTITY x "y">]>' + SVG,
    ],
)
def test_active_svg_is_refused(tmp_path, svg):
    module = write_course(tmp_path)
    (module / "media").mkdir()
    (module / "media" / "flow.svg").write_text(svg)
    (module / "01-one.md").write_text(lesson_text("![A flow](media/flow.svg)"))
    found = errors_for(tmp_path)
    assert found and all("media/flow.svg:1: SVG" in e for e in found)


def translation(english: Path, title: str, body: str, *, stale: bool = False) -> str:
    digest = hashlib.sha256(english.read_bytes()).hexdigest()[:12]
    if stale:
        digest = "0" * 12
    return f'---\ntitle: {title}\nsource_hash: "{digest}"\n---\n{body}\n'


def test_translation_files_are_checked(tmp_path):
    module = write_course(tmp_path)
    (module / "01-one.fr.md").write_text("---\ntitle: Un\nsource_hash: abcdef12\n---\nx\n")
    (module / "09-nine.ko.md").write_text("---\ntitle: 구\nsource_hash: abcdef12\n---\nx\n")
    (module / "02-two.th.md").write_text("---\ntitle: สอง\nsource_hash: nothex\n---\nx\n")
    found = errors_for(tmp_path)
    assert any("01-one.fr.md:1: file name must be NAME.md or NAME.LANG.md" in e for e in found)
    assert any("09-nine.ko.md:1: translates '09-nine.md', which does not exist" in e for e in found)
    assert any("02-two.th.md:3: 'source_hash' must be" in e for e in found)


@pytest.mark.django_db
def test_sync_stores_glossary_assets_and_translations(tmp_path):
    module = write_course(tmp_path)
    (module / "glossary.yaml").write_text(GLOSSARY)
    (module / "media").mkdir()
    (module / "media" / "flow.svg").write_text(SVG)
    (module / "01-one.md").write_text(
        lesson_text("A [[UTXO]].\n\n![A flow](media/flow.svg)", extra="access: le_only\n")
    )
    (module / "01-one.ko.md").write_text(
        translation(module / "01-one.md", "하나", "[[UTXO|미사용 출력]]")
    )
    (module / "02-two.ko.md").write_text(
        translation(module / "02-two.md", "둘", "본문", stale=True)
    )
    content_sync(root=tmp_path)

    lesson = Lesson.objects.get(slug="one")
    glossary_url = reverse("courses:glossary", args=["basics", "module-one"])
    assert f'href="{glossary_url}#utxo"' in lesson.current_version.body_html
    media_url = reverse("courses:media", args=["basics", "01-module/media/flow.svg"])
    assert f'src="{media_url}"' in lesson.current_version.body_html
    asset = ContentAsset.objects.get(path="01-module/media/flow.svg")
    assert asset.access == "le_only" and bytes(asset.data) == SVG.encode()
    assert GlossaryTerm.objects.filter(module=lesson.module).count() == 2
    fresh = LessonTranslation.objects.get(lesson=lesson, language="ko")
    assert not fresh.is_stale and "미사용 출력" in fresh.body_html
    assert LessonTranslation.objects.get(lesson__slug="two").is_stale


@pytest.mark.django_db
def test_changing_english_makes_translation_stale(tmp_path):
    module = write_course(tmp_path)
    (module / "01-one.ko.md").write_text(translation(module / "01-one.md", "하나", "본문"))
    content_sync(root=tmp_path)
    assert not LessonTranslation.objects.get().is_stale
    english = module / "01-one.md"
    english.write_text(english.read_text() + "\nA new paragraph.\n")
    content_sync(root=tmp_path)
    assert LessonTranslation.objects.get().is_stale


@pytest.mark.django_db
def test_no_change_sync_only_reads_hashes(tmp_path, django_assert_num_queries):
    write_course(tmp_path)
    content_sync(root=tmp_path)
    with django_assert_num_queries(1):  # the stored hashes; nothing parsed, nothing written
        report = content_sync(root=tmp_path)
    assert report.skipped


@pytest.mark.django_db
def test_check_renders_the_real_curriculum_without_errors():
    from django.conf import settings

    courses, errors = content_validate(root=settings.CONTENT_DIR)
    assert errors == []
    assert courses


@pytest.mark.django_db
def test_invalid_translation_blocks_the_whole_sync(tmp_path):
    module = write_course(tmp_path)
    content_sync(root=tmp_path)
    (module / "01-one.ko.md").write_text("---\ntitle: 하나\n---\n본문\n")
    with pytest.raises(ContentInvalid, match="source_hash"):
        content_sync(root=tmp_path)
    assert not LessonTranslation.objects.exists()


def test_reserved_course_slug_is_refused(tmp_path):
    write_course(tmp_path)
    course_md = tmp_path / "courses" / "basics" / "course.md"
    course_md.write_text(course_md.read_text().replace("slug: basics", "slug: trainer"))
    assert any("reserved" in e for e in errors_for(tmp_path))


def test_lesson_template_reuses_lesson_fixture():
    # The shared LESSON template stays valid for these tests.
    assert "access: public" in LESSON
