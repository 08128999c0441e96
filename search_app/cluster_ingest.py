"""Passage embedding at ingest on a pool of Ray actors (`tracuu ingest --ray-address`, the `cluster` extra).

Consumes the Settings (which embedder), a Ray address and a worker count; produces `RayPassageEncoder`,
a callable texts -> vectors that index.build.build_index takes as `encode_passages`. Each actor holds one
embedder loaded from the same settings and encodes on as many threads as the CPUs Ray gives it
(`settings.ray_worker_cpus`); a batch the build hands over is cut into pieces spread over the actors and
put back in order. Reading files, the BM25 side and writing and swapping the index stay in the one
writer process, as in a single-process ingest.
"""

from __future__ import annotations

import numpy as np

from search_app.cluster import ClusterUnavailable, connect
from search_app.settings import Settings

PIECE = 64  # texts per actor call (index.embedders.PASSAGE_BATCH): a build batch of 256 feeds 4 calls


class PassageActor:
    """Ray actor body: one embedder, built from plain setting values (no pickled models cross the wire)."""

    def __init__(self, settings_values: dict):
        self.embedder = Settings(**settings_values).make_embedder()

    def identity(self) -> tuple[str, int]:
        return self.embedder.name, int(self.embedder.dim)

    def encode(self, texts: list[str]) -> np.ndarray:
        return self.embedder.encode_passages(texts)


class RayPassageEncoder:
    """`encode_passages` on `workers` Ray actors of `settings.ray_worker_cpus` CPUs each.

    `expected_name` is the driver's embedder name: every actor must produce vectors of that name, or the
    index would mix incomparable vectors (ClusterUnavailable otherwise)."""

    def __init__(
        self,
        settings: Settings,
        expected_name: str,
        address: str | None = None,
        workers: int | None = None,
        num_cpus: int | None = None,
    ):
        ray = connect(address, num_cpus)
        from ray.util import ActorPool

        cpus = settings.ray_worker_cpus
        if workers is None:  # as many as the cluster's CPUs hold
            workers = max(1, int(ray.cluster_resources().get("CPU", 1) // cpus))
        self.workers = workers
        remote = ray.remote(PassageActor).options(
            num_cpus=cpus,
            # one encoder thread per CPU the actor is given (index.engine_threads honours OMP_NUM_THREADS)
            runtime_env={"env_vars": {"OMP_NUM_THREADS": str(cpus)}},
        )
        values = settings.model_dump(mode="json", exclude={"secret_key"})
        self._actors = [remote.remote(values) for _ in range(workers)]
        try:
            names = ray.get([actor.identity.remote() for actor in self._actors], timeout=600)
        except Exception as exc:  # an actor that cannot load the model, or no room in the cluster
            self.close()
            raise ClusterUnavailable(f"các tiến trình nhúng trên Ray không khởi động được: {exc}") from exc
        wrong = {name for name, _ in names if name != expected_name}
        if wrong:
            self.close()
            raise ClusterUnavailable(f"tiến trình nhúng trên Ray dùng mô hình khác: {', '.join(wrong)}")
        self.dim = names[0][1]
        self._pool = ActorPool(self._actors)

    def __call__(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        pieces = [texts[i : i + PIECE] for i in range(0, len(texts), PIECE)]
        # ActorPool.map yields results in the order of `pieces`, whichever actor finished first
        return np.concatenate(list(self._pool.map(lambda actor, piece: actor.encode.remote(piece), pieces)))

    def close(self) -> None:
        import ray

        for actor in self._actors:
            ray.kill(actor)
        self._actors = []

    def __enter__(self) -> RayPassageEncoder:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
