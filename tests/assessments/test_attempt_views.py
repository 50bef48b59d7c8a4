"""HTTP: a quiz with every question type renders accessibly and grades what a browser posts."""

from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from assessments.grading import option_order
from assessments.models import Attempt, Question, Quiz
from courses.services import enrollment_create
from tests.factories import CourseFactory, LessonFactory, ModuleFactory, QuizFactory

pytestmark = pytest.mark.django_db


def build_every_type_quiz() -> Quiz:
    module = ModuleFactory(course=CourseFactory())
    LessonFactory(module=module)
    quiz = QuizFactory(module=module, draw=None, pass_mark=80)
    questions = [
        Question(
            key="pick",
            kind="single",
            prompt="Which key signs a transaction?",
            choices=[
                {"key": "a", "text": "The private key", "correct": True},
                {"key": "b", "text": "The address", "correct": False},
                {"key": "c", "text": "The txid", "correct": False},
            ],
        ),
        Question(
            key="many",
            kind="multiple",
            prompt="Which of these must stay secret?",
            partial=True,
            choices=[
                {"key": "a", "text": "Seed phrase", "correct": True},
                {"key": "b", "text": "Private key", "correct": True},
                {"key": "c", "text": "Public address", "correct": False},
                {"key": "d", "text": "Block height", "correct": False},
            ],
        ),
        Question(
            key="tf",
            kind="true_false",
            prompt="A Bitcoin address is public.",
            choices=[
                {"key": "true", "text": "True", "correct": True},
                {"key": "false", "text": "False", "correct": False},
            ],
        ),
        Question(
            key="fee",
            kind="numeric",
            prompt="What was the fee in mBTC?",
            spec={"answer": 12.5, "tolerance": 0.1},
            choices=[],
        ),
        Question(
            key="coin",
            kind="short_text",
            prompt="Which coin uses UTXOs?",
            spec={"answers": ["Bitcoin", "BTC"], "pattern": None, "case_sensitive": False},
            choices=[],
        ),
        Question(
            key="steps",
            kind="ordering",
            prompt="Put the seizure steps in order.",
            partial=True,
            spec={
                "items": [
                    {"key": "photo", "text": "Photograph the scene"},
                    {"key": "seize", "text": "Seize the device"},
                    {"key": "image", "text": "Image the storage"},
                ]
            },
            choices=[],
        ),
        Question(
            key="match",
            kind="matching",
            prompt="Match each chain with its model.",
            partial=True,
            spec={
                "pairs": [
                    {"key": "btc", "left": "Bitcoin", "right": "UTXO"},
                    {"key": "eth", "left": "Ethereum", "right": "Account balances"},
                    {"key": "xmr", "left": "Monero", "right": "Ring signatures"},
                    {"key": "ln", "left": "Lightning", "right": "Payment channels"},
                ]
            },
            choices=[],
        ),
    ]
    for order, question in enumerate(questions, start=1):
        question.quiz = quiz
        question.order = order
        question.full_clean()
        question.save()
    return quiz


RIGHT = {
    "q_pick": "a",
    "q_many": ["a", "b"],
    "q_tf": "true",
    "q_fee": "12,6",  # a decimal comma, at the tolerance bound
    "q_coin": "  bitcoin ",
    "q_steps__photo": "1",
    "q_steps__seize": "2",
    "q_steps__image": "3",
    "q_match__btc": "btc",
    "q_match__eth": "eth",
    "q_match__xmr": "xmr",
    "q_match__ln": "ln",
}


class FormControls(HTMLParser):
    """The attempt form's controls and labels, as a screen reader would pair them."""

    def __init__(self):
        super().__init__()
        self.controls: list[dict] = []
        self.label_for: set[str] = set()
        self.options: dict[str, list[str]] = {}
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label" and attrs.get("for"):
            self.label_for.add(attrs["for"])
        elif tag in {"input", "select", "textarea"}:
            if attrs.get("type") in {"hidden", "submit"}:
                return
            self.controls.append({"tag": tag, **attrs})
            if tag == "select":
                self._select = attrs["name"]
                self.options[attrs["name"]] = []
        elif tag == "option" and self._select:
            self.options[self._select].append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def controls_of(html: str) -> FormControls:
    start = html.index('id="attempt-form"')
    parser = FormControls()
    parser.feed(html[start : html.index("</form>", start)])
    return parser


@pytest.fixture
def quiz():
    return build_every_type_quiz()


@pytest.fixture
def attempt(officer_client, officer, quiz):
    enrollment_create(user=officer, course=quiz.module.course)
    response = officer_client.post(
        reverse("assessments:quiz_start", args=[quiz.module.course.slug, quiz.module.slug])
    )
    attempt = Attempt.objects.get(user=officer, quiz=quiz)
    assert response["Location"] == reverse("assessments:attempt", args=[attempt.pk])
    return attempt


def take(client, attempt: Attempt, data: dict) -> Attempt:
    response = client.post(reverse("assessments:attempt", args=[attempt.pk]), data)
    assert response.status_code == 302, response.content
    assert response["Location"] == reverse("assessments:result", args=[attempt.pk])
    attempt.refresh_from_db()
    return attempt


def test_every_question_type_renders_with_a_label_for_every_input(officer_client, attempt, quiz):
    response = officer_client.get(reverse("assessments:attempt", args=[attempt.pk]))

    assert response.status_code == 200
    for question in quiz.questions.all():
        assert question.prompt in response.text
    controls = controls_of(response.text)
    assert len(controls.controls) == 3 + 4 + 2 + 1 + 1 + 3 + 4
    for control in controls.controls:
        assert control.get("id"), control
        assert control["id"] in controls.label_for, f"no label for {control}"
    names = [c["name"] for c in controls.controls]
    assert names.count("q_pick") == 3 and names.count("q_many") == 4 and names.count("q_tf") == 2
    assert names.count("q_fee") == 1 and names.count("q_coin") == 1
    fee = next(c for c in controls.controls if c["name"] == "q_fee")
    assert fee["inputmode"] == "decimal"
    assert "Choose all that apply." in response.text


def test_ordering_shows_one_select_per_item_in_the_attempts_order(officer_client, attempt, quiz):
    response = officer_client.get(reverse("assessments:attempt", args=[attempt.pk]))
    controls = controls_of(response.text)
    selects = [
        c["name"]
        for c in controls.controls
        if c["tag"] == "select" and c["name"].startswith("q_steps__")
    ]
    question = quiz.questions.get(key="steps")
    assert selects == [f"q_steps__{key}" for key in option_order(question, attempt.seed)]
    assert selects != ["q_steps__photo", "q_steps__seize", "q_steps__image"]  # not the answer
    for name in selects:
        assert controls.options[name] == ["", "1", "2", "3"]
    for text in ("Photograph the scene", "Seize the device", "Image the storage"):
        assert f">{text}</label>" in response.text
    assert "Number the items in the right order" in response.text


def test_matching_shows_one_select_per_left_item(officer_client, attempt, quiz):
    response = officer_client.get(reverse("assessments:attempt", args=[attempt.pk]))
    controls = controls_of(response.text)
    selects = [
        c["name"]
        for c in controls.controls
        if c["tag"] == "select" and c["name"].startswith("q_match__")
    ]
    assert selects == ["q_match__btc", "q_match__eth", "q_match__xmr", "q_match__ln"]
    question = quiz.questions.get(key="match")
    for name in selects:
        assert controls.options[name] == ["", *option_order(question, attempt.seed)]
    for left in ("Bitcoin", "Ethereum", "Monero", "Lightning"):
        assert f">{left}</label>" in response.text
    for right in ("UTXO", "Account balances", "Ring signatures", "Payment channels"):
        assert f">{right}</option>" in response.text


def test_right_answers_posted_like_a_browser_score_full_marks(officer_client, attempt):
    graded = take(officer_client, attempt, RIGHT)

    assert graded.status == Attempt.Status.GRADED
    assert graded.question_scores == {
        "pick": 1.0,
        "many": 1.0,
        "tf": 1.0,
        "fee": 1.0,
        "coin": 1.0,
        "steps": 1.0,
        "match": 1.0,
    }
    assert graded.score == Decimal("100.00") and graded.passed is True
    assert graded.answers["steps"] == ["photo", "seize", "image"]
    assert graded.answers["match"] == {"btc": "btc", "eth": "eth", "xmr": "xmr", "ln": "ln"}
    # Kept as plain digits, read in the page's language (here English: a decimal comma).
    assert graded.answers["fee"] == ["12.6"] and graded.answers["many"] == ["a", "b"]

    result = officer_client.get(reverse("assessments:result", args=[attempt.pk]))
    assert "You scored 100%" in result.text
    assert "Partly correct" not in result.text and "Incorrect" not in result.text
    assert "Photograph the scene → Seize the device → Image the storage" in result.text


def test_wrong_answers_posted_like_a_browser_score_zero(officer_client, attempt):
    wrong = {
        "q_pick": "b",
        "q_many": ["c", "d"],
        "q_tf": "false",
        "q_fee": "12.61",
        "q_coin": "Ether",
        "q_steps__photo": "3",
        "q_steps__seize": "1",
        "q_steps__image": "2",
        "q_match__btc": "eth",
        "q_match__eth": "xmr",
        "q_match__xmr": "ln",
        "q_match__ln": "btc",
    }
    graded = take(officer_client, attempt, wrong)

    assert graded.score == Decimal("0.00") and graded.passed is False
    assert set(graded.question_scores.values()) == {0.0}
    result = officer_client.get(reverse("assessments:result", args=[attempt.pk]))
    assert result.text.count("Incorrect") == 7


def test_partial_answers_show_partly_correct_on_the_result_page(officer_client, attempt):
    partial = {
        **RIGHT,
        "q_many": ["a"],  # one of two right: 0.5
        "q_steps__photo": "1",  # photo in place, the other two swapped: 1/3
        "q_steps__seize": "3",
        "q_steps__image": "2",
        "q_match__xmr": "ln",  # two of four matched: 0.5
        "q_match__ln": "xmr",
    }
    graded = take(officer_client, attempt, partial)

    scores = graded.question_scores
    assert scores["many"] == 0.5 and scores["match"] == 0.5
    assert scores["steps"] == pytest.approx(1 / 3)
    assert {scores[k] for k in ("pick", "tf", "fee", "coin")} == {1.0}
    # (4 + 0.5 + 1/3 + 0.5) of 7 questions, one point each.
    assert graded.score == Decimal("76.19") and graded.passed is False

    result = officer_client.get(reverse("assessments:result", args=[attempt.pk]))
    assert result.status_code == 200
    assert result.text.count("Partly correct") == 3
    assert "Partly correct (0.50)" in result.text and "Partly correct (0.33)" in result.text
    assert result.text.count("<strong>Correct</strong>") == 4
    assert "Bitcoin = UTXO; Ethereum = Account balances" in result.text
    assert "Monero = Payment channels" in result.text  # what they matched


def test_unanswered_questions_score_zero_and_the_form_still_submits(officer_client, attempt):
    graded = take(
        officer_client,
        attempt,
        {"q_pick": "a", "q_fee": "", "q_coin": "", "q_steps__photo": "", "q_match__btc": ""},
    )
    assert graded.question_scores["pick"] == 1.0
    assert sum(graded.question_scores.values()) == 1.0
    assert graded.score == Decimal("14.29")


def test_an_invalid_choice_is_shown_back_not_graded(officer_client, attempt):
    response = officer_client.post(
        reverse("assessments:attempt", args=[attempt.pk]), {**RIGHT, "q_steps__photo": "9"}
    )
    assert response.status_code == 200
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.IN_PROGRESS


def test_autosaved_answers_of_every_type_fill_the_page_again(officer_client, attempt):
    saved = officer_client.post(reverse("assessments:save", args=[attempt.pk]), RIGHT)
    assert saved.status_code == 200 and saved.json()["saved"] == 7

    page = officer_client.get(reverse("assessments:attempt", args=[attempt.pk]))

    initial = page.context["form"].initial
    assert initial["q_pick"] == "a" and initial["q_many"] == ["a", "b"]
    # Saved as plain digits, shown with the page's decimal mark (English: a point).
    assert initial["q_fee"] == "12.6" and initial["q_coin"] == "bitcoin"
    assert initial["q_steps__image"] == "3" and initial["q_match__eth"] == "eth"
    assert 'value="12.6"' in page.text
    assert '<option value="3" selected>3</option>' in page.text


def test_unticking_every_box_clears_a_saved_answer(officer_client, officer, course):
    from assessments.models import AttemptAnswer
    from assessments.services import attempt_start
    from courses.services import enrollment_create

    quiz = course.modules.first().quiz
    enrollment = enrollment_create(user=officer, course=course)
    attempt = attempt_start(user=officer, quiz=quiz, enrollment=enrollment)
    multiple = quiz.questions.get(kind="multiple")
    save = reverse("assessments:save", args=[attempt.pk])
    officer_client.post(save, {f"q_{multiple.key}": ["a"], f"q_{multiple.key}__shown": "1"})
    assert AttemptAnswer.objects.get(attempt=attempt, question_key=multiple.key).value == ["a"]
    officer_client.post(save, {f"q_{multiple.key}__shown": "1"})  # every box unticked
    assert AttemptAnswer.objects.get(attempt=attempt, question_key=multiple.key).value == []


@pytest.mark.parametrize(
    "language, typed, stored, score",
    [
        ("en", "12.500", "12.500", 1.0),  # English: a decimal point
        ("ro", "12.500", "12500", 0.0),  # Romanian: twelve thousand five hundred
        ("ro", "12,5", "12.5", 1.0),
        ("ko", "12,500", "12500", 0.0),
    ],
)
def test_numbers_are_read_as_the_officers_language_writes_them(
    officer_client, officer, attempt, language, typed, stored, score
):
    officer.language = language
    officer.save(update_fields=["language"])
    officer_client.post(reverse("assessments:save", args=[attempt.pk]), {"q_fee": typed})
    shown = officer_client.get(reverse("assessments:attempt", args=[attempt.pk]))
    assert shown.context["form"].initial["q_fee"] == (
        stored.replace(".", ",") if language == "ro" else stored
    )
    graded = take(officer_client, attempt, {**RIGHT, "q_fee": typed})
    assert graded.answers["fee"] == [stored]
    assert graded.question_scores["fee"] == score


def le_quiz_attempt(officer, questions: int, saved: int):
    """An attempt at a law-enforcement-only quiz (the access check asks for the officer's
    access levels), in Korean, with some answers saved."""
    from assessments.models import AttemptAnswer, QuizTranslation
    from assessments.services import attempt_start
    from tests.assessments.test_engine import quiz_with

    quiz = quiz_with(questions)
    Quiz.objects.filter(pk=quiz.pk).update(access="le_only")
    QuizTranslation.objects.create(
        quiz=quiz, language="ko", title="퀴즈", source_path="quiz.ko.yaml", content_hash="a" * 64,
        source_hash="b" * 12,
        questions={q.key: {"prompt": f"질문 {q.key}"} for q in quiz.questions.all()},
    )  # fmt: skip
    enrollment = enrollment_create(user=officer, course=quiz.module.course)
    attempt = attempt_start(user=officer, quiz=quiz, enrollment=enrollment)
    for question in quiz.questions.all()[:saved]:
        AttemptAnswer.objects.create(attempt=attempt, question_key=question.key, value=["a"])
    return attempt


@pytest.mark.parametrize("language", ["en", "ko"])
def test_attempt_page_query_count_is_pinned_and_flat(
    officer_client, officer, language, django_assert_num_queries
):
    officer.language = language
    officer.save(update_fields=["language"])
    few = le_quiz_attempt(officer, questions=3, saved=0)
    many = le_quiz_attempt(officer, questions=30, saved=20)
    # The user and the viewer's memberships (every request's; the access check of a
    # law-enforcement-only quiz reads them), the attempt with its quiz, enrollment and the
    # quiz's translation, the questions drawn, the answers saved.
    for attempt in (few, many):
        with django_assert_num_queries(5):
            page = officer_client.get(reverse("assessments:attempt", args=[attempt.pk]))
        assert page.status_code == 200
    assert ("질문" in page.text) == (language == "ko")


def test_an_attempts_questions_are_rendered_once_until_an_answer_or_the_content_changes(
    officer_client, attempt, django_assert_num_queries
):
    from courses.content_cache import content_changed

    url = reverse("assessments:attempt", args=[attempt.pk])
    first = officer_client.get(url)
    # Again: the questions come from the cache, not from their query and 60-odd templates.
    with django_assert_num_queries(4):
        again = officer_client.get(url)
    assert again.context["form"] is None  # nothing built or rendered the form this time
    assert again.text.count('class="question"') == first.text.count('class="question"') == 7
    assert 'value="12.6"' not in again.text

    officer_client.post(reverse("assessments:save", args=[attempt.pk]), {"q_fee": "12.6"})
    assert 'value="12.6"' in officer_client.get(url).text

    question = attempt.quiz.questions.get(key="pick")
    question.prompt = "Which key signs a Bitcoin transaction?"
    question.save(update_fields=["prompt"])
    assert "Which key signs a Bitcoin transaction?" not in officer_client.get(url).text
    content_changed()  # what sync_content does after an import
    assert "Which key signs a Bitcoin transaction?" in officer_client.get(url).text


def test_another_officer_never_sees_an_attempts_cached_questions(officer_client, attempt, client):
    from tests.factories import UserFactory

    url = reverse("assessments:attempt", args=[attempt.pk])
    officer_client.post(reverse("assessments:save", args=[attempt.pk]), {"q_fee": "12.6"})
    assert 'value="12.6"' in officer_client.get(url).text
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
