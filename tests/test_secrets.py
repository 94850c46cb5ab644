"""No secrets in what we print, log or store: credentials inside journal URLs are masked."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipeline.harvest import Source, harvest_source, load_sources, status_rows
from pipeline.redact import MASK, redact_text, redact_url
from pipeline.store import Store
from tests.oaiserver import (
    LoopbackServer,
    OAIRepository,
    Reply,
    Request,
    article,
    fast_options,
)

PASSWORD, TOKEN = "s3cr3t-pass", "tok-9f8e7d"


class TestRedactUrl:
    def test_masks_the_password_and_keeps_the_user_and_host(self):
        shown = redact_url(f"https://harvester:{PASSWORD}@jurnal.example.ac.id/index.php/j/oai")
        assert shown == f"https://harvester:{MASK}@jurnal.example.ac.id/index.php/j/oai"

    @pytest.mark.parametrize("name", ["apiToken", "api_key", "access_token", "Signature", "auth"])
    def test_masks_secret_looking_query_values(self, name):
        shown = redact_url(f"https://j.example/oai?verb=ListRecords&{name}={TOKEN}")
        assert TOKEN not in shown
        assert "verb=ListRecords" in shown and name in shown

    def test_leaves_ordinary_urls_alone(self):
        url = "https://j.example/index.php/j/oai?verb=ListRecords&metadataPrefix=oai_dc"
        assert redact_url(url) == url

    def test_redacts_every_url_inside_a_message(self):
        text = (
            f"HTTP 500 at https://a:{PASSWORD}@x.example/oai and "
            f"https://y.example/oai?apiToken={TOKEN} after 3 attempts"
        )
        shown = redact_text(text)
        assert PASSWORD not in shown and TOKEN not in shown
        assert shown.endswith("after 3 attempts")


def test_a_failing_journal_with_credentials_never_shows_them(tmp_path: Path, caplog):
    """The URL carries a password and an API token; the server fails every request. The error
    line, the stored last error and the log all name the URL, masked."""
    when = datetime(2022, 1, 1, tzinfo=UTC)
    repo = OAIRepository([article(i, when=when + timedelta(hours=i)) for i in range(1, 4)])
    repo.add_fault(1, *[Reply(b"oops", 500)] * 10)
    caplog.set_level(logging.DEBUG)
    with LoopbackServer(repo) as server, Store(tmp_path / "corpus.sqlite") as store:
        host = server.url.removeprefix("http://")
        url = f"http://harvester:{PASSWORD}@{host}/index.php/j/oai?apiToken={TOKEN}"
        result = harvest_source(store, Source("secretive", url), options=fast_options())
        rows = status_rows(store, [Source("secretive", url)])
    assert not result.ok
    assert MASK in result.error
    shown = " ".join([result.error, caplog.text, repr(rows)])
    assert PASSWORD not in shown and TOKEN not in shown


def test_a_bad_base_url_in_sources_toml_is_reported_without_its_secret(tmp_path: Path):
    config = tmp_path / "sources.toml"
    config.write_text(
        '[[source]]\nname = "x"\n'
        f'base_url = "ftp://harvester:{PASSWORD}@j.example/oai?apiToken={TOKEN}"\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError) as raised:
        load_sources(config)
    assert PASSWORD not in str(raised.value) and TOKEN not in str(raised.value)


def test_a_query_in_the_base_url_is_sent_with_every_request(tmp_path: Path):
    """OJS journals behind a key take it as ?apiToken=...; the OAI parameters join it. (The test
    repository is strict OAI-PMH, so a gate in front of it checks and removes the key.)"""
    when = datetime(2022, 1, 1, tzinfo=UTC)
    repo = OAIRepository([article(i, when=when + timedelta(hours=i)) for i in range(1, 4)])

    def gate(request: Request) -> Reply:
        if request.params.get("apiToken") != TOKEN:
            return Reply(b"forbidden", 403)
        rest = {k: v for k, v in request.params.items() if k != "apiToken"}
        return repo(Request(request.path, rest))

    with LoopbackServer(gate) as server, Store(tmp_path / "corpus.sqlite") as store:
        url = f"{server.url}/index.php/j/oai?apiToken={TOKEN}"
        result = harvest_source(store, Source("keyed", url), options=fast_options())
        sent = [request.params for request in server.requests]
    assert result.ok, result.error
    assert sent and all(params.get("apiToken") == TOKEN for params in sent)
    assert any(params.get("verb") == "ListRecords" for params in sent)
