"""The `berdaya` command. It lives beside the flows because it is shell, not logic: each command
either calls one pipeline function (ingest, status) or runs one Prefect flow (run, refresh, report).

Prefect is imported only by the commands that run a flow, so `berdaya --help` and `berdaya ingest`
start instantly.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from pipeline.project import ProjectPaths

app = typer.Typer(
    help=(
        "berdaya: text mining of Indonesian community-empowerment literature. Compares the OKU "
        "government-NGO partnership study with the works it cites, within the wider literature."
    ),
    no_args_is_help=True,
    add_completion=False,
)
console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

ProjectOption = Annotated[
    Path | None,
    typer.Option(
        "--project",
        help="Project folder holding corpus/ (default: BERDAYA_HOME or the current folder).",
    ),
]
SeedOption = Annotated[
    int,
    typer.Option(
        help="The run's random seed: topic sweep, stability and ensemble seeds (derived from it), "
        "theme classifier, CV folds, samples and the corpus map; recorded in manifest.json."
    ),
]
WaitOption = Annotated[
    float,
    typer.Option(
        "--wait",
        help="Seconds to wait when another berdaya command is writing to the project "
        "(default: stop at once with a message).",
    ),
]
DaskOption = Annotated[
    str | None,
    typer.Option(
        "--dask",
        metavar="ADDRESS",
        help="Harvest and preprocess on a Dask cluster: its scheduler (tcp://host:8786), "
        "'local' (two worker processes on this machine) or 'off'. Default: \\[compute] dask in "
        "corpus/sources.toml, else off. Needs the dask extra; pays only for large corpora.",
    ),
]


def _paths(project: Path | None) -> ProjectPaths:
    return ProjectPaths.discover(project)


def _dask(option: str | None, paths: ProjectPaths) -> str:
    """The cluster for the flow ('off' for none), checked before any flow starts, so a wrong
    address or a missing extra costs one line rather than a failed flow run's traceback."""
    from flows import compute
    from pipeline.harvest import ConfigError

    try:
        spec = compute.wanted(option, paths)
        if spec is not None:
            compute.check(spec)
    except (compute.DaskUnavailable, ConfigError) as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        raise typer.Exit(code=1) from None
    return spec or compute.OFF


def _refuse_when_busy(paths: ProjectPaths, command: str, wait: float) -> None:
    """Stop with one line (exit 3) while another command writes to the project, before
    Prefect starts: a flow that fails on the lock would print a traceback."""
    from pipeline.locking import ProjectBusy, ProjectLock

    try:
        with ProjectLock(paths.corpus, command, wait):
            pass
    except ProjectBusy as exc:
        err.print(f"busy: {exc}", markup=False, highlight=False)
        raise typer.Exit(code=3) from None


def _with_progress(title: str, run):
    from flows import progress
    from pipeline.analysis import AnalysisError
    from pipeline.locking import ProjectBusy

    started = time.perf_counter()
    with console.status(title) as status:

        def show(message: str) -> None:
            console.print(f"[dim]{time.perf_counter() - started:6.1f}s[/dim] {message}")
            status.update(message)

        progress.listen(show)
        try:
            return run()
        except ProjectBusy as exc:  # taken in the moment since _refuse_when_busy looked
            err.print(f"busy: {exc}", markup=False, highlight=False)
            raise typer.Exit(code=3) from None
        except AnalysisError as exc:  # the corpus cannot be analysed as asked: one line
            err.print(f"error: {exc}", markup=False, highlight=False)
            raise typer.Exit(code=2) from None
        finally:
            progress.clear()


def _require_registry(paths: ProjectPaths) -> None:
    """`report` analyses only what is stored: before the registry (the case and its cited
    works) is, say so in one line, before a flow starts and logs a failure of its own."""
    from pipeline.store import Store

    stored = 0
    if paths.store.exists():
        with Store(paths.store) as store:
            stored = store.count_by_source().get("registry", (0, 0))[0]
    if not stored:
        err.print(
            f"error: no case study stored in {paths.store}: run `berdaya refresh` (or "
            "`berdaya run`) first, which stores corpus/studies.toml",
            markup=False,
            highlight=False,
        )
        raise typer.Exit(code=2)


@app.command()
def run(
    project: ProjectOption = None,
    seed: SeedOption = 20240601,
    wait: WaitOption = 0.0,
    dask: DaskOption = None,
) -> None:
    """The main job: refresh the corpus, analyse it and write the report."""
    paths = _paths(project)
    cluster = _dask(dask, paths)
    _refuse_when_busy(paths, "berdaya run", wait)
    from flows.run import run_all

    result = _with_progress(
        "Running berdaya",
        lambda: run_all(root=str(paths.root), seed=seed, wait_for_lock=wait, dask=cluster),
    )
    for line in result.problems:
        err.print(f"[yellow]warning[/yellow] {line}", highlight=False)
    console.print(f"Report: {result.report_dir}/index.html (also {paths.reports / 'latest'})")


@app.command()
def refresh(project: ProjectOption = None, wait: WaitOption = 0.0, dask: DaskOption = None) -> None:
    """Update the corpus store from the registry, corpus/inbox and the followed journals."""
    paths = _paths(project)
    cluster = _dask(dask, paths)
    _refuse_when_busy(paths, "berdaya refresh", wait)
    from flows.refresh import refresh_corpus

    problems = _with_progress(
        "Refreshing",
        lambda: refresh_corpus(root=str(paths.root), wait_for_lock=wait, dask=cluster),
    )
    for line in problems:
        err.print(f"[yellow]warning[/yellow] {line}", highlight=False)
    console.print("Corpus refreshed.")


@app.command()
def report(
    project: ProjectOption = None,
    seed: SeedOption = 20240601,
    wait: WaitOption = 0.0,
    dask: DaskOption = None,
    years: Annotated[
        str | None,
        typer.Option(
            "--years",
            metavar="FIRST-LAST",
            help="Analyse only documents published in these years, e.g. 2015-2024 (documents "
            "without a year are left out). The case and its cited works are always kept.",
        ),
    ] = None,
    journal: Annotated[
        list[str] | None,
        typer.Option(
            "--journal",
            help="Analyse only documents of this journal: its full title, up to case and "
            "punctuation (repeat for several).",
        ),
    ] = None,
    subject: Annotated[
        list[str] | None,
        typer.Option(
            "--subject",
            help='Analyse only documents of this subject, e.g. "Social Sciences" (repeat for '
            "several; subjects come from `berdaya ingest --journal-subjects`).",
        ),
    ] = None,
) -> None:
    """Analyse what is stored (no refresh) and write reports/<run-id>/ and reports/latest/.

    --years, --journal and --subject narrow the corpus analysed; the filter is shown on the page
    and recorded in manifest.json.
    """
    from pipeline.corpus import CorpusFilter, parse_years

    try:
        keep = CorpusFilter(
            years=parse_years(years) if years is not None else None,
            journals=tuple(j for j in journal or () if j.strip()),
            subjects=tuple(s for s in subject or () if s.strip()),
        )
    except ValueError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        raise typer.Exit(code=2) from None
    paths = _paths(project)
    cluster = _dask(dask, paths)
    _refuse_when_busy(paths, "berdaya report", wait)
    _require_registry(paths)
    from flows.report import build_report

    folder = _with_progress(
        "Writing the report",
        lambda: build_report(
            root=str(paths.root),
            seed=seed,
            wait_for_lock=wait,
            dask=cluster,
            corpus_filter=keep.as_dict() or None,
        ),
    )
    console.print(f"Report: {folder}/index.html")


@app.command()
def ingest(
    paths_to_read: Annotated[
        list[Path], typer.Argument(help="Files or folders: .txt .md .html .pdf .bib .ris .csv")
    ],
    columns: Annotated[
        str | None,
        typer.Option(
            "--columns",
            metavar="FIELD=COLUMN,...",
            help="CSV columns by name, for headers berdaya does not recognise, e.g. "
            "year=TAHUN,authors=PENULIS. Fields: title, abstract, venue, year, doi, authors, url, "
            "keywords. Recognised without it: title/judul/ARTICLE_TITLE, abstract/abstrak/"
            "ARTICLE_ABSTRACT, journal/jurnal/JOURNAL_TITLE, year/tahun, authors/penulis/"
            "pengarang, doi, keywords/kata kunci, url.",
        ),
    ] = None,
    journal_subjects: Annotated[
        Path | None,
        typer.Option(
            "--journal-subjects",
            metavar="FILE",
            help="A CSV of journal title -> subject(s) (e.g. SINTA's JOURNAL_TITLE,"
            "JOURNAL_SUBJECTS): each document of a listed journal gets its subjects, for "
            "`berdaya report --subject`.",
        ),
    ] = None,
    project: ProjectOption = None,
    wait: WaitOption = 0.0,
) -> None:
    """Add local files to the corpus store. A bad file is named with its reason; the rest go in."""
    from pipeline.ingest.bibfiles import parse_column_map
    from pipeline.ingest.files import ingest_paths
    from pipeline.ingest.subjects import SubjectTableError, load_journal_subjects
    from pipeline.locking import ProjectBusy, ProjectLock
    from pipeline.store import Store

    try:
        mapping = parse_column_map(columns) if columns is not None else None
        table = load_journal_subjects(journal_subjects) if journal_subjects else None
    except (ValueError, SubjectTableError) as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        raise typer.Exit(code=2) from None
    paths = _paths(project)
    try:
        with ProjectLock(paths.corpus, "berdaya ingest", wait), Store(paths.store) as store:
            result = ingest_paths(store, paths_to_read, columns=mapping, journal_subjects=table)
    except ProjectBusy as exc:
        err.print(f"busy: {exc}", markup=False, highlight=False)
        raise typer.Exit(code=3) from None
    for error in result.errors:
        err.print(f"error: {error}", highlight=False, markup=False)
    console.print(
        f"{result.files} files read: {result.added} documents added, {result.updated} updated, "
        f"{result.unchanged} unchanged, {len(result.errors)} files refused."
    )
    if result.errors:
        raise typer.Exit(code=1)


@app.command()
def export(
    out: Annotated[Path, typer.Option("--out", help="Folder to write <set>.<format> into.")] = Path(
        "citations"
    ),
    formats: Annotated[
        str, typer.Option("--format", help="Comma-separated: bib (BibTeX), ris, json (CSL-JSON).")
    ] = "bib,ris,json",
    sets: Annotated[
        str,
        typer.Option(
            "--set",
            help="Comma-separated: case, cited (its 15 cited works), neighbours (of the latest "
            "report), corpus (every stored document, streamed).",
        ),
    ] = "case,cited,neighbours,corpus",
    project: ProjectOption = None,
    wait: WaitOption = 0.0,
) -> None:
    """Citation files (BibTeX, RIS, CSL-JSON) for Zotero, Mendeley or JabRef, from the store.

    Every report folder has the same files in citations/.
    """
    from pipeline import runs
    from pipeline.ingest.registry import RegistryError
    from pipeline.locking import ProjectBusy, ProjectLock
    from pipeline.report.exports import FORMATS, SETS

    chosen_formats = [f.strip() for f in formats.split(",") if f.strip()]
    chosen_sets = [s.strip() for s in sets.split(",") if s.strip()]
    for name, chosen, known in (
        ("--format", chosen_formats, FORMATS),
        ("--set", chosen_sets, SETS),
    ):
        bad = [c for c in chosen if c not in known]
        if bad or not chosen:
            err.print(
                f"error: {name}: unknown {', '.join(bad) or '(nothing given)'}; "
                f"choose from {', '.join(known)}",
                markup=False,
                highlight=False,
            )
            raise typer.Exit(code=2)
    paths = _paths(project)
    if not paths.store.exists():
        err.print(f"error: no corpus store at {paths.store}; run `berdaya run` first", markup=False)
        raise typer.Exit(code=1)
    try:
        with ProjectLock(paths.corpus, "berdaya export", wait):
            counts, warnings = runs.export_citations(paths, out, chosen_formats, chosen_sets)
    except ProjectBusy as exc:
        err.print(f"busy: {exc}", markup=False, highlight=False)
        raise typer.Exit(code=3) from None
    except (RegistryError, OSError) as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        raise typer.Exit(code=1) from None
    for line in warnings:
        err.print(f"warning: {line}", markup=False, highlight=False)
    shown = ", ".join(f"{name} {count}" for name, count in counts.items())
    console.print(f"Wrote {', '.join(chosen_formats)} to {out}/: {shown} entries.", highlight=False)


@app.command()
def status(project: ProjectOption = None) -> None:
    """What the corpus store holds: documents per source, and each journal's harvest state."""
    from pipeline.harvest import load_sources, status_rows
    from pipeline.store import Store

    paths = _paths(project)
    if not paths.store.exists():
        console.print(f"No corpus store yet at {paths.store}; run `berdaya run` first.")
        return
    with Store(paths.store) as store:
        console.print(f"Corpus store {paths.store}: {store.count()} documents")
        for source, (live, dead) in sorted(store.count_by_source().items()):
            console.print(f"  {source}: {live} records, {dead} tombstones", highlight=False)
        if not paths.sources.is_file():
            return
        console.print("Journals (corpus/sources.toml):")
        for row in status_rows(store, load_sources(paths.sources)):
            last = row.last_complete.isoformat(timespec="seconds") if row.last_complete else "never"
            console.print(
                f"  {row.name}{'' if row.enabled else ' (disabled)'}: last complete refresh "
                f"{last}, {row.records} records, {row.tombstones} tombstones"
                + (f"; last error: {row.last_error}" if row.last_error else ""),
                highlight=False,
                markup=False,
            )


@app.command()
def serve(
    project: ProjectOption = None,
    port: Annotated[
        int, typer.Option(help="Port of the local Prefect server (bound to 127.0.0.1).")
    ] = 4242,
    cron: Annotated[
        str | None,
        typer.Option(help="Cron schedule instead of [schedule] cron in corpus/sources.toml."),
    ] = None,
    interval: Annotated[
        float | None,
        typer.Option(help="Refresh every SECONDS instead of on the cron (for trials and tests)."),
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option(
            help="IANA time zone of the cron, e.g. Asia/Jakarta (default: this machine's)."
        ),
    ] = None,
    api_url: Annotated[
        str | None,
        typer.Option(
            help="Use this running Prefect server (e.g. http://127.0.0.1:4200/api) "
            "instead of starting one."
        ),
    ] = None,
) -> None:
    """Refresh the corpus on its schedule until stopped: starts a local Prefect server
    (database in <project>/.prefect) and serves the refresh flow. Ctrl-C or SIGTERM stops both."""
    from flows.serve import ServeError, plan
    from flows.serve import serve as serve_schedule

    try:
        schedule = plan(_paths(project).root, cron=cron, interval=interval, timezone=timezone)
        serve_schedule(
            schedule,
            port=port,
            api_url=api_url,
            say=lambda line: console.print(line, highlight=False, markup=False),
        )
    except ServeError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        raise typer.Exit(code=1) from None
    console.print("Stopped.")


@app.command()
def label(
    out: Annotated[
        Path, typer.Option("--out", help="Where to write the coding sheet (CSV).")
    ] = Path("coding-sheet.csv"),
    import_sheet: Annotated[
        Path | None,
        typer.Option("--import", help="A filled sheet to read into corpus/labels/researcher.csv."),
    ] = None,
    limit: Annotated[int, typer.Option(help="How many documents to put on the sheet.")] = 40,
    project: ProjectOption = None,
    seed: SeedOption = 20240601,
    wait: WaitOption = 0.0,
) -> None:
    """Code documents by hand: a sheet of those the classifier is least sure of, then --import it.

    Fill in the sheet as corpus/labels/GUIDE.md says; the next run learns from your codings.
    """
    from pipeline import runs
    from pipeline.locking import ProjectBusy, ProjectLock
    from pipeline.themes.labels import LabelsError
    from pipeline.themes.sheet import SheetError

    paths = _paths(project)
    try:
        with ProjectLock(paths.corpus, "berdaya label", wait):
            if import_sheet is not None:
                result = runs.import_coding_sheet(paths, import_sheet)
                console.print(
                    f"{import_sheet}: {result.added} documents coded, {result.updated} recoded, "
                    f"{result.skipped} rows left empty; saved in {result.labels_path}"
                )
            else:
                count = runs.write_coding_sheet(paths, out, limit, seed)
                console.print(
                    f"Wrote {count} documents to {out}; fill in its codes column "
                    f"(corpus/labels/GUIDE.md), then run `berdaya label --import {out}`."
                )
    except ProjectBusy as exc:
        err.print(f"busy: {exc}", markup=False, highlight=False)
        raise typer.Exit(code=3) from None
    except (SheetError, LabelsError, OSError) as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        raise typer.Exit(code=1) from None


def main() -> None:
    # Problems reach the user as one line each from the commands; library warnings would
    # only repeat them.
    logging.basicConfig(level=logging.ERROR)
    app()


if __name__ == "__main__":
    main()
