"""Session titles: a model's title is kept only when its words come from the chat; an
imported copy is marked; export names and dates read well."""

import pytest

from RAI_Chat.backend.services.file_storage import export_filename, export_markdown
from RAI_Chat.backend.services.session import imported_title
from RAI_Chat.backend.services.titles import clean_title

LYON = "I am moving to Lyon next month, what should I know about living there?"


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("Moving to Lyon", "Moving to Lyon"),
        ('"Living in Lyon"', "Living in Lyon"),
        ("Tips for moving to Lyon", "Tips for moving to Lyon"),
        ("Living in China", None),
        ("Paris travel guide", None),
        ("Great city", None),  # only the answer's words
        ("", None),
    ],
)
def test_a_model_title_is_kept_only_when_its_words_come_from_the_chat(raw, kept):
    assert clean_title(raw, LYON, "Lyon is a great city to live in.") == kept


def test_a_title_word_may_be_another_form_of_the_chats_word():
    assert clean_title("Fox facts", "Tell me about red foxes", "Fox facts") == "Fox facts"


def test_without_the_chat_only_the_shape_is_checked():
    assert clean_title("Living in China") == "Living in China"
    assert clean_title("word " * 12) is None


@pytest.mark.parametrize(
    ("title", "marked"),
    [
        ("Trip to Lisbon", "Trip to Lisbon (imported)"),
        ("Trip to Lisbon (imported)", "Trip to Lisbon (imported)"),
        ("Imported chat", "Imported chat"),
        ("x" * 200, "x" * 189 + " (imported)"),
    ],
)
def test_an_imported_copy_is_marked_once(title, marked):
    assert imported_title(title) == marked


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Garden plans (imported)", "garden-plans-imported-2026-11-29.md"),
        ("Ça va? Café!", "ca-va-cafe-2026-11-29.md"),
        ("漢字", "rai-chat-2026-11-29.md"),
    ],
)
def test_export_names_come_from_the_title_and_the_date(title, name):
    chat = {"title": title, "created_at": "2026-11-29T14:03:00+00:00"}
    assert export_filename(chat, "md") == name


def test_the_markdown_export_has_a_readable_date():
    chat = {"title": "Garden", "created_at": "2026-11-29T14:03:00+00:00"}
    text = export_markdown(chat, [])
    assert "_Chat started 29 November 2026, 14:03 UTC; exported from RAI Chat " in text
    assert "2026-11-29T" not in text
