"""Regenerate ``english.txt`` from the ``wordfreq`` package (run by hand, not at run time).

    python -m venv /tmp/wf && /tmp/wf/bin/pip install wordfreq==3.1.1
    /tmp/wf/bin/python ecosystem/truth/words/make_list.py

wordfreq is not a dependency of ecosim: the list it makes is committed (see README.md here).
"""

from __future__ import annotations

import re
from pathlib import Path

SIZE = 20_000
"""Words kept, most frequent first."""

# Profanity and slurs, dropped so sampled text can be shown in a classroom (exact words, and
# roots that only occur inside such words).
BLOCKED_ROOTS = (
    "fuck", "shit", "cunt", "nigg", "fagg", "bitch", "slut", "whore", "pussy", "pussies",
    "asshole", "motherf", "wank", "jizz", "dildo", "blowjob", "handjob", "porn", "tranny",
    "retard",
)  # fmt: skip
BLOCKED_WORDS = {
    "fag", "fags", "dick", "dicks", "cock", "cocks", "cum", "tits", "titty", "titties", "boob",
    "boobs", "hoe", "hoes", "twat", "dyke", "dykes", "spic", "chink", "kike", "wetback", "rape",
    "raped", "rapist", "milf", "horny", "boner", "anal", "penis", "vagina", "nude", "nudes",
    "sexy", "bastard", "bastards", "damn", "crap",
}  # fmt: skip


def keep(word: str) -> bool:
    """A lower-case ASCII word with a vowel (no numbers, abbreviations or profanity)."""
    return (
        re.fullmatch(r"[a-z]+", word) is not None
        and re.search(r"[aeiouy]", word) is not None
        and word not in BLOCKED_WORDS
        and not any(root in word for root in BLOCKED_ROOTS)
    )


def main() -> None:
    """Write the SIZE most frequent kept English words, one per line, most frequent first."""
    from wordfreq import top_n_list

    words = [w for w in dict.fromkeys(top_n_list("en", 4 * SIZE)) if keep(w)][:SIZE]
    assert len(words) == SIZE, len(words)
    Path(__file__).with_name("english.txt").write_text("\n".join(words) + "\n", encoding="ascii")


if __name__ == "__main__":
    main()
