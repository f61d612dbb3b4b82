"""The voices an agent can speak with (Ultravox's catalog when configured, a built-in list otherwise), and choosing one."""
from __future__ import annotations

from dataclasses import dataclass

from dashboard import ultravox_client
from dashboard.agents.models import Agent
from dashboard.billing.entitlements import require
from dashboard.extensions import db, remember

VOICES_TTL_SECONDS = 600


@dataclass(frozen=True)
class Voice:
    name: str
    language: str
    language_label: str
    provider: str
    description: str
    voice_id: str | None = None  # Ultravox's id; previews are proxied by it

    @property
    def provider_label(self) -> str:
        return provider_label(self.provider)

    @property
    def has_preview(self) -> bool:
        return self.voice_id is not None


# How each voice provider's id (Ultravox's and the built-in list's) is shown; an unknown id reads as its words.
PROVIDER_LABELS = {"eleven_labs": "ElevenLabs", "elevenlabs": "ElevenLabs", "cartesia": "Cartesia", "lmnt": "LMNT",
                   "google": "Google", "inworld": "Inworld", "openai": "OpenAI", "playht": "PlayHT",
                   "play_ht": "PlayHT", "deepgram": "Deepgram", "rime": "Rime", "azure": "Azure", "aws": "AWS"}


def provider_label(provider: str) -> str:
    """ElevenLabs for eleven_labs, LMNT for lmnt…; "Some New" for an id not in PROVIDER_LABELS ("some_new")."""
    return PROVIDER_LABELS.get(provider.lower(), provider.replace("_", " ").replace("-", " ").title())


BUILT_IN = (
    Voice("Mark", "en-US", "English (United States)", "cartesia", "Warm, steady male voice for support and booking."),
    Voice("Jessica", "en-US", "English (United States)", "eleven_labs", "Friendly, upbeat female voice."),
    Voice("Emily-English", "en-US", "English (United States)", "cartesia", "Calm, clear and professional."),
    Voice("Aaron-English", "en-GB", "English (United Kingdom)", "eleven_labs", "Relaxed British male voice."),
    Voice("Tanya-English", "en-GB", "English (United Kingdom)", "lmnt", "Bright British female voice."),
    Voice("Alex-Spanish", "es-ES", "Spanish (Spain)", "cartesia", "Natural Castilian Spanish."),
    Voice("Camille-French", "fr-FR", "French (France)", "eleven_labs", "Gentle Parisian French."),
    Voice("Jonas-German", "de-DE", "German (Germany)", "google", "Clear, neutral German."),
)


class UnknownVoice(Exception):
    """The voice is not in the catalog; `message` says so next to the field."""

    def __init__(self, message: str = "Choose a voice from the list."):
        super().__init__(message)
        self.message = message


def catalog() -> tuple[list[Voice], str | None]:
    """Every voice, and a message when Ultravox's catalog could not be read (the built-in list is used)."""
    if not ultravox_client.configured():
        return list(BUILT_IN), None
    from dashboard.agents.ultravox_gateway import list_voices, voices_cache_key  # imports Voice from here

    try:
        # Shared by every process through the cache (Redis when configured) for ten minutes.
        return remember(voices_cache_key(), list_voices, VOICES_TTL_SECONDS), None
    except ultravox_client.UltravoxError as error:
        return list(BUILT_IN), f"Showing the built-in voices: {error.message}"


def filter_voices(voices: list[Voice], language: str = "", provider: str = "") -> list[Voice]:
    return [v for v in voices if (not language or v.language.split("-")[0] == language)
            and (not provider or v.provider == provider)]


def facets(voices: list[Voice]) -> tuple[list[tuple[str, str]], list[str]]:
    """The languages (code, label) and providers to filter by."""
    languages = {v.language.split("-")[0]: v.language_label.split(" (")[0] for v in voices if v.language}
    return sorted(languages.items(), key=lambda item: item[1]), sorted({v.provider for v in voices if v.provider})


def find(voices: list[Voice], name: str) -> Voice | None:
    return next((v for v in voices if v.name == name), None)


def update_voice(agent: Agent, name: str) -> None:
    """Set the agent's voice: UnknownVoice unless the catalog has it, NotEntitled unless the plan includes voice selection."""
    voices, _ = catalog()
    if find(voices, name) is None:
        raise UnknownVoice()
    require(agent.customer_id, "customize_bot_voice")
    agent.voice = name
    db.session.flush()
