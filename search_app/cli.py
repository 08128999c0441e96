"""The `tracuu` command: ingest documents, search them, serve the web app, evaluate retrieval.

Consumes the settings (flags or TRACUU_* environment variables); each subcommand calls one
pipeline stage: `ingest` -> ingest + index build, `search` -> index, `serve` -> search_app.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ingest.dates import dmy
from search_app.cli_common import (
    EmbedderOption,
    IndexDirOption,
    RayAddressOption,
    console,
    embedder_for,
    fail,
    os_error_message,
    settings_for,
)
from search_app.cli_users import tokens_app, users_app
from search_app.settings import Settings

app = typer.Typer(
    name="tracuu",
    help="Tra cứu văn bản: tìm đoạn văn trả lời câu hỏi trong chỉ thị, kết luận, kế hoạch, công văn.\n\n"
    "Search Vietnamese Party directives and the documents that implement them; every answer is quoted and cited.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")


def _ray_encoder(settings: Settings, ray_address: str, ray_workers: int | None):
    """A function of the embedder's name giving the Ray actor pool that embeds for build_index (the
    pool starts after the driver's own embedder loaded, so a bad model name fails once, here)."""
    from search_app import cluster

    try:
        cluster.require_ray()
    except cluster.ClusterUnavailable as exc:
        fail(str(exc))

    def start(name: str):
        from search_app.cluster_ingest import RayPassageEncoder

        try:
            pool = RayPassageEncoder(settings, name, address=ray_address, workers=ray_workers)
        except cluster.ClusterUnavailable as exc:
            fail(str(exc))
        console.print(
            f"Nhúng trên Ray: {pool.workers} tiến trình, mỗi tiến trình {settings.ray_worker_cpus} CPU."
        )
        return pool

    return start


@app.command()
def ingest(
    paths: Annotated[
        list[Path], typer.Argument(help="Files or folders to index (.txt .md .html .docx .doc .pdf .jsonl).")
    ],
    index_dir: IndexDirOption = None,
    embedder: EmbedderOption = None,
    no_wait: Annotated[
        bool, typer.Option("--no-wait", help="Fail at once when another ingest is writing this index folder.")
    ] = False,
    max_file_mb: Annotated[
        float | None,
        typer.Option(help="Largest document text read, in MB (default 20; $TRACUU_MAX_FILE_MB)."),
    ] = None,
    ray_address: RayAddressOption = None,
    ray_workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Ray actors that embed (default: as many as the cluster's CPUs hold; needs --ray-address).",
        ),
    ] = None,
) -> None:
    """Read documents, clean and structure them, and (re)build the search index from them.

    The index then holds exactly these documents: files that changed are re-embedded, files
    no longer present are dropped. A failed build leaves the previous index serving, and a
    running `tracuu serve` switches to the new one by itself.
    """
    from index.build import build_index
    from index.store import IndexBusy
    from ingest.pipeline import ingest_paths

    settings = settings_for(index_dir, embedder, max_file_mb=max_file_mb)
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        fail("không tìm thấy: " + ", ".join(missing))
    if ray_workers is not None and not ray_address:
        fail("--ray-workers cần --ray-address (ví dụ --ray-address auto, hoặc local cho Ray trên máy này).")
    encoder = _ray_encoder(settings, ray_address, ray_workers) if ray_address else None
    loaded = embedder_for(settings)  # a missing model or extra fails before minutes of reading
    encode_passages = encoder(loaded.name) if encoder else None
    corpus = ingest_paths(paths, progress=True, limits=settings.ingest_limits())
    for skipped in corpus.skipped:
        console.print(f"[yellow]Bỏ qua[/yellow] {skipped.path}: {skipped.reason}")
    if not corpus.documents:
        if encode_passages is not None:
            encode_passages.close()
        fail("không có văn bản nào đọc được; chỉ mục cũ được giữ nguyên.")

    def waiting() -> None:
        console.print(f"Một lần lập chỉ mục khác đang ghi vào {settings.index_dir}; đang chờ nó xong ...")

    try:
        report = build_index(
            corpus,
            settings.index_dir,
            loaded,
            progress=True,
            wait=not no_wait,
            on_wait=waiting,
            encode_passages=encode_passages,
        )
    except IndexBusy as exc:
        fail(f"{exc}; chạy lại sau, hoặc bỏ --no-wait để chờ.")
    except OSError as exc:
        fail(os_error_message(exc, settings.index_dir))
    finally:
        if encode_passages is not None:  # the actors free their CPUs now, not when this process exits
            encode_passages.close()
    console.print(
        f"Đã lập chỉ mục {len(corpus.documents)} văn bản, {len(corpus.paragraphs)} đoạn "
        f"({report.embedded} đoạn nhúng mới, {report.reused} dùng lại), bỏ qua {len(corpus.skipped)} tệp "
        f"-> {settings.index_dir}"
    )
    restricted = sum(1 for d in corpus.documents if d.access != "public")
    if restricted:
        console.print(f"{restricted} văn bản không công khai (nội bộ hoặc theo nhóm)")


@app.command()
def search(
    query: Annotated[str, typer.Argument(help='Câu hỏi, ví dụ "trách nhiệm người đứng đầu".')],
    k: Annotated[int, typer.Option("-k", min=1, max=100, help="Number of paragraphs to show.")] = 5,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print exactly what GET /api/search returns.")
    ] = False,
    index_dir: IndexDirOption = None,
    embedder: EmbedderOption = None,
) -> None:
    """Search the index and print ranked, cited paragraphs and the answer."""
    from index.access import OPERATOR
    from index.searcher import IndexLoadError, QueryError, Searcher

    settings = settings_for(index_dir, embedder)
    loaded_embedder = embedder_for(settings)
    try:
        searcher = Searcher.load(settings.index_dir, loaded_embedder)
        # the operator reads the index folder itself: every document, whatever its access level
        response = searcher.search(query, k=k, max_query_chars=settings.max_query_chars, audience=OPERATOR)
    except (QueryError, IndexLoadError) as exc:
        fail(str(exc))
    if as_json:
        sys.stdout.write(json.dumps(response.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n")
        return
    out = Console()
    lookup = response.lookup
    if lookup and lookup.notice:
        out.print(f"[bold yellow]{lookup.notice}[/bold yellow]")
        for c in lookup.citing:
            out.print(
                f"  [dim]nhắc đến trong {c.type or ''} {c.number or c.title or c.doc_id}: {c.sentence or ''}[/dim]"
            )
    for card in lookup.cards if lookup else []:
        out.print(f"[bold green]{card.type or ''} {card.number or ''}[/bold green]: {card.title or ''}")
        out.print(f"  [dim]{card.issuer or ''}, {dmy(card.date) or ''} — {card.url}[/dim]\n")
    for h in response.relations:
        out.print(
            f"[bold]{h.from_doc_id}[/bold] {h.relation} {h.to_number or h.to_doc_id}: {h.sentence or ''}"
        )
    if response.relations:
        out.print()
    if response.answer:
        out.print(f"[bold green]Trả lời:[/bold green] {response.answer.text}")
        out.print(f"  [dim]— {response.answer.citation.label}[/dim]\n")
    elif not (lookup and (lookup.cards or lookup.notice)) and not response.relations:
        out.print("[yellow]Không tìm thấy nội dung phù hợp.[/yellow]\n")
    for rank, hit in enumerate(response.results, 1):
        out.print(f"[bold]{rank}. {hit.citation.label}[/bold]  [dim](điểm {hit.score:.3f})[/dim]")
        out.print(f"   {hit.text}")
        for other in hit.also_in:
            out.print(f"   [dim]cũng có trong {other.doc_number or other.doc_title or other.doc_id}[/dim]")
        out.print()


def _serve_on_ray(settings: Settings, replicas: int, ray_address: str | None) -> None:
    from index import store
    from search_app import cluster  # imports Ray only when called

    try:
        cluster.require_ray()
    except cluster.ClusterUnavailable as exc:
        fail(str(exc))
    if store.current_build(settings.index_dir) is None:  # replicas never build it (they would race)
        fail(
            f"chưa có chỉ mục trong {settings.index_dir}; lập trước: tracuu ingest <thư mục văn bản> "
            f"--index-dir {settings.index_dir}"
        )

    def ready() -> None:
        console.print(
            f"Mở http://{settings.host}:{settings.port}/ ({replicas} bản sao trên Ray; Ctrl-C để dừng)."
        )

    try:
        cluster.serve_forever(settings, replicas, ray_address, on_ready=ready)
    except cluster.ClusterUnavailable as exc:
        fail(str(exc))


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (loopback by default).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000).")] = None,
    index_dir: IndexDirOption = None,
    embedder: EmbedderOption = None,
    replicas: Annotated[
        int,
        typer.Option(
            min=1, help="Replicas on Ray Serve (the `cluster` extra); 1 without --ray-address: plain uvicorn."
        ),
    ] = 1,
    ray_address: RayAddressOption = None,
) -> None:
    """Run the web app. Builds the index from the bundled data/ first when there is none.

    A folder given with --index-dir (or $TRACUU_INDEX_DIR) is built from data/ only when it is new;
    one that exists but serves no index is an error, never silently replaced by the bundled documents.
    With --replicas N (N > 1) or --ray-address the app runs as N Ray Serve replicas of the existing index
    (built beforehand with `tracuu ingest`; see docs/deploy.md)."""
    import uvicorn

    from index.build import IndexMissing, needs_build
    from search_app.app import create_app

    settings = settings_for(index_dir, embedder, host=host, port=port)
    if replicas > 1 or ray_address:
        _serve_on_ray(settings, replicas, ray_address)
        return
    try:
        needs_build(settings.index_dir, rebuild_broken="index_dir" not in settings.model_fields_set)
    except IndexMissing as exc:
        fail(str(exc))
    console.print(f"Mở http://{settings.host}:{settings.port}/ trong trình duyệt.")
    uvicorn.run(
        create_app(settings, embedder=embedder_for(settings)), log_level="info", **settings.uvicorn_options()
    )


@app.command(name="eval")
def evaluate(
    queries: Annotated[
        Path | None, typer.Option(help="Labelled query set (JSONL); default: the bundled development set.")
    ] = None,
    index_dir: IndexDirOption = None,
    embedder: EmbedderOption = None,
    mandates: Annotated[
        bool, typer.Option("--mandates", help="Score mandate extraction instead (labelled set).")
    ] = False,
    relations: Annotated[
        bool,
        typer.Option(
            "--relations", help="Precision and recall per relation type on the labelled relation set."
        ),
    ] = False,
) -> None:
    """Print hit@1, hit@5 and MRR@10 per query kind on a labelled query set (--mandates: precision,
    recall and per-field accuracy of mandate extraction; --relations: precision and recall per relation type)."""
    if relations:  # reads documents only: no index, no embedder
        from index.relation_eval import run_relation_evaluation

        run_relation_evaluation(queries)
        return
    if mandates:
        from index.mandate_eval import evaluate_heldout, evaluate_mandates, print_scores

        print_scores(evaluate_mandates(), Console())
        print_scores(evaluate_heldout(), Console(), "Văn bản để riêng (held-out)")
        return
    from index.evaluate import run_evaluation

    settings = settings_for(index_dir, embedder)
    run_evaluation(settings, queries)


if __name__ == "__main__":
    app()
