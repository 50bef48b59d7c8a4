"""What a question type is: the base class every type extends, and the registry of types.

A type owns everything that differs between kinds of question: the quiz.yaml keys it accepts
and how they are checked and stored, the form fields an attempt shows, how an answer is read
back from the form and graded, and what the review after grading shows. Adding a type is one
new module in this package with one class decorated with @register: the package imports
every module in it."""

from collections.abc import Callable, Iterable, Iterator

from django import forms

from assessments.models import Question

# Keys every question may have in quiz.yaml, whatever its type.
COMMON_KEYS = frozenset(
    {"key", "type", "prompt", "explanation", "points", "partial", "shuffle", "objective"}
)


def as_list(value) -> list[str]:
    """A submitted answer as a list of keys or texts; anything else is an empty list."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(item) for item in value if isinstance(item, str | int)]
    return []


class NoModelAnswer(ValueError):
    """No right answer can be written down for this question (see model_answer)."""


class YamlCheck:
    """Reports mistakes in one quiz.yaml question, with the path of the key at fault."""

    def __init__(self, error: Callable[..., None], where: tuple):
        self.error = error
        self.where = where

    def __call__(self, message: str, *keys) -> None:
        self.error(message, *self.where, *keys)

    def keyed_list(self, items, name: str, fields: tuple[str, ...], minimum: int = 2) -> set[str]:
        """A list of mappings each with a unique 'key' and the given text fields."""
        if not isinstance(items, list) or len(items) < minimum:
            self(f"'{name}' needs at least {minimum} entries", name)
            return set()
        keys: set[str] = set()
        for index, item in enumerate(items):
            at = (name, index)
            if not isinstance(item, dict):
                self(f"each entry of '{name}' must be a mapping", *at)
                continue
            for key in item:
                if key not in {"key", *fields, "correct"}:
                    self(f"unknown key '{key}'", *at, key)
            key = item.get("key")
            if not isinstance(key, str) or not key.strip():
                self(f"each entry of '{name}' needs a 'key'", *at)
            elif key in keys:
                self(f"duplicate key '{key}' in '{name}'", *at, "key")
            else:
                keys.add(key)
            for field in fields:
                if not isinstance(item.get(field), str) or not item[field].strip():
                    self(f"'{field}' is required text", *at)
        return keys


class QuestionType:
    """One kind of question. Subclasses set `kind` and override what differs from a question
    answered in a single form field."""

    kind: str = ""
    label = ""  # shown to trainers and in the admin; translatable
    order = 1000  # where the type is listed (quiz.yaml errors, the admin); ties: registration
    keys: frozenset[str] = frozenset()  # quiz.yaml keys beyond COMMON_KEYS
    flags: tuple[str, ...] = ()  # those of `keys` that must be true or false
    partial_credit = False  # whether 'partial: true' means anything for this type
    # How the attempt page lays out the fields: "options" (a list of radio buttons or
    # checkboxes), "text" (one input), "stacked" (label above each field) or "rows" (label
    # beside each field). hint: a line under the question; intro_template: included above.
    layout = "text"
    hint = None
    intro_template = None
    shuffle_always = False  # show the options shuffled even when the question says not to

    # -- quiz.yaml ----------------------------------------------------------------------------

    def validate(self, question: dict, check: YamlCheck) -> None:
        """Report what is wrong with this type's own keys of a quiz.yaml question."""

    def stored_choices(self, item: dict) -> list[dict]:
        """Question.choices for a valid quiz.yaml question."""
        return []

    def stored_spec(self, item: dict) -> dict:
        """Question.spec (the answer key of a type without choices) for a valid question."""
        return {}

    # -- the attempt form ---------------------------------------------------------------------

    def option_keys(self, question: Question) -> list[str]:
        """The keys of the options the attempt shows (shuffled per attempt), if any."""
        return [choice["key"] for choice in question.choices]

    def fields(
        self, question: Question, label: str, order: list[str], local: dict
    ) -> Iterator[tuple[str | None, forms.Field]]:
        """(suffix, field) pairs: suffix None for the question's one field q_<key>, else the
        field is q_<key>__<suffix> and belongs to a group labelled with the question."""
        yield (
            None,
            forms.CharField(
                label=label,
                required=False,
                max_length=500,
                widget=forms.TextInput(attrs={"autocomplete": "off"}),
            ),
        )

    def initial(self, question: Question, value) -> Iterable[tuple[str | None, object]]:
        """(suffix, initial value) pairs that show a saved answer in the form again."""
        yield None, value[0] if isinstance(value, list) and value else value

    def cleared(self):
        """The answer saved for a question shown with nothing filled in."""
        return []

    def answer(self, question: Question, cleaned: dict, posted) -> object | None:
        """The answer the page sent, from the form's cleaned data (posted: the raw data);
        None when the page sent nothing for this question."""
        name = f"q_{question.key}"
        if name not in posted and f"{name}__shown" not in posted:
            return None
        value = cleaned.get(name)
        if isinstance(value, str):
            value = [value] if value.strip() else []
        return list(value or [])

    # -- grading and review -------------------------------------------------------------------

    def score(self, question: Question, value, seed: int) -> float:
        """From 0 to 1. May raise KeyError, TypeError, ValueError, ArithmeticError or
        re.error on malformed input: the caller scores that 0."""
        raise NotImplementedError

    def model_answer(self, question: Question, seed: int) -> object:
        """A right answer, in the shape answer() stores, that score() gives full marks:
        score(question, model_answer(question, seed), seed) == 1.0. The seed is the attempt's
        (a tracing lab's answer depends on its graph). For trainers' previews and the demo
        data; raises NoModelAnswer when the question's own spec allows none."""
        raise NotImplementedError

    def review(self, question: Question, value, seed: int, local: dict) -> dict:
        """What the result page shows: 'choices' (text, chosen, correct), or 'given' and
        'expected' as text."""
        return {"given": value[0] if isinstance(value, list) and value else "", "expected": ""}


_REGISTRY: dict[str, QuestionType] = {}


def register[T: type[QuestionType]](cls: T) -> T:
    """Class decorator: make a question type known to quiz.yaml, forms, grading and review."""
    if not cls.kind:
        raise ValueError(f"{cls.__name__} needs a kind")
    existing = _REGISTRY.get(cls.kind)
    if existing is not None and type(existing).__qualname__ != cls.__qualname__:
        raise ValueError(f"question type {cls.kind!r} is already registered")
    _REGISTRY[cls.kind] = cls()
    return cls


def unregister(kind: str) -> None:
    _REGISTRY.pop(kind, None)


def question_type(kind: str) -> QuestionType:
    """The type of that kind; KeyError for a kind nobody registered."""
    return _REGISTRY[kind]


def question_types() -> list[QuestionType]:
    """Every registered type, by its order."""
    return sorted(_REGISTRY.values(), key=lambda qtype: qtype.order)


def kind_choices() -> list[tuple[str, str]]:
    """(kind, label) of every registered type: the choices of Question.kind."""
    return [(qtype.kind, qtype.label) for qtype in question_types()]
