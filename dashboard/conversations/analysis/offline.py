"""The default analyzer, which needs nothing running: VADER sentiment, taxonomy cues, an extractive summary."""
from __future__ import annotations

import re
from collections import Counter
from functools import cache

from dashboard.conversations.analysis import taxonomy
from dashboard.conversations.analysis.result import AnalysisResult, Turn
from dashboard.conversations.sentiment import band

SUMMARY_SENTENCES = 2
SUMMARY_CHARS = 400
STOPWORDS = frozenset(
    "a an and are as at be but by can could do for from have hi hello how i i'd i'm in is it it's me my no "
    "not of on or our please so that the their there this to was we what when which will with would yes you "
    "your you're thanks thank".split()
)


@cache
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def analyze(turns: list[Turn]) -> AnalysisResult:
    spoken = [t for t in turns if t.role in ("visitor", "agent")]
    visitor = [t for t in spoken if t.role == "visitor"]
    detailed = [{"index": t.index, "role": t.role, "score": round(_vader().polarity_scores(t.content)["compound"], 2)}
                for t in visitor]
    sentiment = round(sum(d["score"] for d in detailed) / len(detailed), 2) if detailed else 0.0
    intent = classify(" ".join(t.content for t in visitor))
    known = taxonomy.INTENTS.get(intent)
    category = taxonomy.CATEGORIES[known.category if known else taxonomy.FALLBACK_CATEGORY]
    return AnalysisResult(
        call_summary=summarize(spoken),
        intent=intent,
        sentiment=sentiment,
        sentiment_justification=_justify(sentiment, detailed, {t.index: t.content for t in visitor}),
        category=category.name,
        category_description=category.description,
        action=known.action if known else taxonomy.FALLBACK_ACTION,
        sentiment_detailed=detailed,
    )


def classify(visitor_text: str) -> str:
    """The intent whose cues appear most often in what the visitor said; the fallback when none do."""
    text = visitor_text.lower()
    scores = {name: sum(text.count(cue) for cue in intent.cues) for name, intent in taxonomy.INTENTS.items()}
    best = max(scores, key=scores.get)  # ties go to the earlier intent in the taxonomy
    return best if scores[best] else taxonomy.FALLBACK_INTENT


def summarize(turns: list[Turn]) -> str:
    """The sentences whose words recur most across the conversation (Luhn's method), in their order."""
    sentences = [(t.role, s.strip()) for t in turns for s in re.split(r"(?<=[.!?])\s+", t.content) if s.strip()]
    if not sentences:
        return "No messages."
    words = Counter(w for _, s in sentences for w in _words(s))

    def weight(sentence: str) -> float:
        found = _words(sentence)
        return sum(words[w] for w in found) / (len(found) or 1) ** 0.5

    chosen = sorted(sorted(range(len(sentences)), key=lambda i: -weight(sentences[i][1]))[:SUMMARY_SENTENCES])
    summary = " ".join(f"{'Visitor' if sentences[i][0] == 'visitor' else 'Agent'}: {sentences[i][1]}" for i in chosen)
    return summary if len(summary) <= SUMMARY_CHARS else summary[: SUMMARY_CHARS - 1] + "…"


def _words(sentence: str) -> list[str]:
    return [w for w in re.findall(r"[a-z']+", sentence.lower()) if w not in STOPWORDS and len(w) > 2]


def _justify(sentiment: float, detailed: list[dict], texts: dict[int, str]) -> str:
    if not detailed:
        return "The visitor said nothing, so the tone is neutral."
    counts = Counter(band(d["score"]) for d in detailed)
    extreme = min(detailed, key=lambda d: d["score"]) if sentiment < 0 else max(detailed, key=lambda d: d["score"])
    quote = texts[extreme["index"]]
    quote = quote if len(quote) <= 120 else quote[:119] + "…"
    return (f"The visitor's tone was {band(sentiment)} overall ({counts['positive']} positive, "
            f"{counts['neutral']} neutral, {counts['negative']} negative messages); "
            f"the strongest was “{quote}”.")
