"""Parses what people type into the search box into text terms and filters.

Understood: quoted phrases, `[tag]`, `user:ID`, `is:answered`, `is:accepted`. Everything else is
reduced to plain words, so full-text operators (NEAR, AND, *, ^, -) and unbalanced quotes are
never passed through to the database: no query can raise. English stop words among the plain
words are left out on both backends, as PostgreSQL's `english` configuration does
(`stopwords.py`).
"""

import re
from dataclasses import dataclass, field

from knowhow.qa.models import TAG_NAME_PATTERN
from knowhow.search.stopwords import ENGLISH_STOP_WORDS

MAX_QUERY_CHARS = 1000
MAX_TERMS = 24
MAX_TERM_CHARS = 60

_TOKEN_RE = re.compile(
    r'"(?P<phrase>[^"]*)"?'  # a phrase; an unbalanced quote runs to the end
    r"|\[(?P<tag>[^\]\s]{1,35})\]"
    r"|(?<!\S)user:(?P<user>\d{1,18})(?!\S)"
    r"|(?<!\S)is:(?P<is>answered|accepted)(?!\S)"
    r"|(?P<text>[^\s\"\[]+|\[)",
    re.IGNORECASE,
)
_WORD_RE = re.compile(r"\w+")
_TAG_RE = re.compile(TAG_NAME_PATTERN)


# Control characters, surrogates and the private-use area (where snippet highlight marks live).
_UNWANTED_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff]")


def clean_text(text: str) -> str:
    """Replace control, surrogate and private-use characters with spaces."""
    return _UNWANTED_RE.sub(" ", text)


def words(text: str) -> list[str]:
    return [w[:MAX_TERM_CHARS] for w in _WORD_RE.findall(text)]


@dataclass(frozen=True)
class ParsedQuery:
    words: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    tags: tuple[str, ...] = ()
    user_id: int | None = None
    answered: bool = False
    accepted: bool = False
    raw: str = field(default="", compare=False)
    # Plain words left out of the search because they are stop words (shown to the searcher).
    ignored: tuple[str, ...] = field(default=(), compare=False)

    @property
    def has_text(self) -> bool:
        return bool(self.words or self.phrases)

    @property
    def is_empty(self) -> bool:
        return not (
            self.has_text or self.tags or self.user_id is not None or self.answered or self.accepted
        )


def parse_query(raw: str) -> ParsedQuery:
    text = clean_text(raw or "")[:MAX_QUERY_CHARS]
    found_words: list[str] = []
    phrases: list[tuple[str, ...]] = []
    tags: list[str] = []
    user_id: int | None = None
    answered = accepted = False
    budget = MAX_TERMS
    for match in _TOKEN_RE.finditer(text):
        if budget <= 0:
            break
        if match.group("phrase") is not None:
            phrase = tuple(words(match.group("phrase")))
            if len(phrase) == 1:
                found_words.append(phrase[0])
            elif phrase:
                phrases.append(phrase[:MAX_TERMS])
            budget -= max(1, len(phrase))
        elif match.group("tag"):
            tag = match.group("tag").lower()
            if _TAG_RE.match(tag) and tag not in tags:
                tags.append(tag)
        elif match.group("user"):
            user_id = int(match.group("user"))
        elif match.group("is"):
            if match.group("is").lower() == "answered":
                answered = True
            else:
                accepted = True
        elif match.group("text"):
            for word in words(match.group("text")):
                if budget <= 0:
                    break
                found_words.append(word)
                budget -= 1
    kept = [w for w in found_words if w.lower() not in ENGLISH_STOP_WORDS]
    ignored = [w.lower() for w in found_words if w.lower() in ENGLISH_STOP_WORDS]
    return ParsedQuery(
        words=tuple(dict.fromkeys(kept)),
        phrases=tuple(dict.fromkeys(phrases)),
        tags=tuple(tags[:5]),
        user_id=user_id,
        answered=answered,
        accepted=accepted,
        raw=text,
        ignored=tuple(dict.fromkeys(ignored)),
    )
