"""A shopper's query: parsed into words and a storage size, typos forgiven, matched by full text then trigrams."""

from __future__ import annotations

import difflib
import hashlib
import re
import unicodedata
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchVector, TrigramWordSimilarity
from django.core.cache import cache
from django.db.models import QuerySet

from catalog.models import Product
from catalog.versioning import catalog_version


def normalise_text(text: str) -> str:
    """Lower case, accents removed, punctuation turned into spaces: what search compares."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join("".join(ch if ch.isalnum() else " " for ch in stripped).split())


# --- search --------------------------------------------------------------------------------
STORAGE_SIZES = {16, 32, 64, 128, 256, 512, 1024, 2048}
_TOKEN = re.compile(r"[a-z0-9]+")


@dataclass
class ParsedQuery:
    text_terms: list[str]
    storage_gb: int | None
    corrected: bool
    original: str

    @property
    def display(self) -> str:
        terms = list(self.text_terms)
        if self.storage_gb:
            terms.append(f"{self.storage_gb} GB")
        return " ".join(terms)


def search_vocabulary() -> set[str]:
    """Every word of every product's search document, cached per catalog version."""
    key = f"catalog:vocabulary:{catalog_version()}"
    words: set[str] | None = cache.get(key)
    if words is None:
        words = set()
        for document in Product.objects.values_list("search_document", flat=True).iterator(chunk_size=2000):
            words.update(document.split())
        cache.set(key, words, 3600)
    return words


def parse_query(query: str) -> ParsedQuery:
    """Split a shopper's query into text terms and a storage size, correcting typos against the catalog's words.

    `iphnoe 13 128` -> terms [iphone, 13], storage 128 GB. A number that is a storage size and not a
    catalog word (128, 256, 1tb) becomes the storage filter; an unknown word is replaced by the closest
    catalog word (difflib ratio >= 0.7), so typos are forgiven.
    """
    vocabulary = search_vocabulary()
    terms: list[str] = []
    storage: int | None = None
    corrected = False
    for token in _TOKEN.findall(normalise_text(query)):
        size = re.fullmatch(r"(\d+)(gb|go|tb|to)?", token)
        if size and token not in vocabulary:
            number = int(size.group(1)) * (1024 if size.group(2) in ("tb", "to") else 1)
            if number in STORAGE_SIZES:
                storage = number
                continue
        if token in ("gb", "go", "tb", "to"):
            continue
        if token not in vocabulary and not token.isdigit() and len(token) > 2:
            close = difflib.get_close_matches(token, vocabulary, n=1, cutoff=0.7)
            if close:
                token = close[0]
                corrected = True
        terms.append(token)
    return ParsedQuery(text_terms=terms, storage_gb=storage, corrected=corrected, original=query)


def tsquery(terms: list[str]) -> SearchQuery:
    raw = " & ".join(f"{term}:*" for term in terms)
    return SearchQuery(raw, search_type="raw", config="simple")


def products_matching(parsed: ParsedQuery) -> QuerySet[Product] | None:
    """Products matching the parsed query's text: full-text (prefix) first, trigram similarity as the fallback.

    Returns None when the query has no text terms (only a storage size, or nothing).
    """
    if not parsed.text_terms:
        return None
    vector = SearchVector("search_document", config="simple")
    full_text = Product.objects.annotate(document=vector).filter(document=tsquery(parsed.text_terms))
    if full_text.exists():
        return full_text
    vocabulary = search_vocabulary()
    if any(term.isdigit() and term not in vocabulary for term in parsed.text_terms):
        return Product.objects.none()  # a model number nobody sells: no fuzzy guess, suggestions instead
    text = " ".join(parsed.text_terms)
    return Product.objects.annotate(similarity=TrigramWordSimilarity(text, "search_document")).filter(
        similarity__gte=0.5
    )


def search_category_slugs(query: str) -> list[str] | None:
    """The categories of the products `query` matches: a search page shows offers of these only, so it
    keys on their versions (`catalog.versioning.scope_version`). None when the query names no product
    (empty, or a storage size only: the page shows the whole market). Cached per catalog version."""
    text = normalise_text(query)
    if not text:
        return None
    key = f"catalog:search-categories:{catalog_version()}:{hashlib.sha256(text.encode()).hexdigest()}"
    cached: dict[str, list[str] | None] | None = cache.get(key)
    if cached is None:
        matching = products_matching(parse_query(query))
        slugs = None
        if matching is not None:
            slugs = sorted(set(matching.order_by().values_list("category__slug", flat=True).distinct()))
        cached = {"slugs": slugs}
        cache.set(key, cached, 3600)
    return cached["slugs"]


def search_suggestions(query: str, *, limit: int = 5) -> list[Product]:
    """Close matches for an empty result: the most similar product names, however loosely."""
    text = normalise_text(query)
    if not text:
        return []
    return list(
        Product.objects.annotate(similarity=TrigramWordSimilarity(text, "search_document"))
        .filter(similarity__gte=0.2)
        .select_related("brand")
        .order_by("-similarity", "name")[:limit]
    )
