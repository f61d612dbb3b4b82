"""Knowledge sources: files checked by content and size, web pages checked for SSRF, both within plan limits."""
import io

from dashboard.agents.knowledge.sync import sync_source
from dashboard.agents.knowledge.usage import measure_knowledge
from dashboard.extensions import db
from dashboard.models import KnowledgeSource
from dashboard.signals import collect, measure_usage
from tests import factories
from tests.querycount import counting_queries

HX = {"HX-Request": "true"}
PDF = b"%PDF-1.7\n" + b"0" * 100


def sources_of(agent):
    db.session.expire_all()
    return db.session.scalars(db.select(KnowledgeSource).where(KnowledgeSource.agent_id == agent.agent_id)).all()


def upload(client, agent, content, filename):
    return client.post(f"/agents/{agent.agent_id}/knowledge/file", headers=HX, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(content), filename)})


def test_a_web_page_is_added_and_marked_not_synced_without_ultravox(signed_in, agent):
    response = signed_in.post(f"/agents/{agent.agent_id}/knowledge/web", headers=HX,
                              data={"url": "https://93.184.215.14/faq", "name": "FAQ"})
    assert response.status_code == 200
    (source,) = sources_of(agent)
    assert (source.kind, source.name, source.status) == ("web", "FAQ", "skipped")
    assert "not configured" in source.status_detail and "FAQ" in response.get_data(as_text=True)


def test_internal_web_addresses_are_refused(signed_in, agent):
    for url, message in (("https://127.0.0.1/", "loopback"), ("https://169.254.169.254/", "metadata"),
                         ("http://93.184.215.14/", "Use an https:// address.")):
        response = signed_in.post(f"/agents/{agent.agent_id}/knowledge/web", headers=HX, data={"url": url})
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert sources_of(agent) == []


def test_web_sources_stop_at_the_plan_limit(app, login_as):
    customer = factories.make_customer(with_contract=False)
    factories.make_contract(customer, factories.make_plan(max_web_sources=1))
    agent = factories.make_agent(customer)
    factories.make_knowledge_source(agent)
    db.session.commit()
    client = login_as(customer)
    assert "web sources are used up" in client.get(f"/agents/{agent.agent_id}").get_data(as_text=True)
    response = client.post(f"/agents/{agent.agent_id}/knowledge/web", headers=HX, data={"url": "https://93.184.215.14/"})
    assert response.status_code == 403 and "limit of 1 web sources" in response.get_data(as_text=True)
    assert len(sources_of(agent)) == 1


def test_a_file_is_stored_under_a_generated_name(signed_in, agent, app, customer):
    response = upload(signed_in, agent, PDF, "../../Price list.pdf")
    assert response.status_code == 200, response.get_data(as_text=True)
    (source,) = sources_of(agent)
    assert source.name == "Price list.pdf" and source.content_type == "application/pdf"
    assert source.size_bytes == len(PDF) and source.stored_path.endswith(".pdf") and "/" not in source.stored_path
    stored = __import__("pathlib").Path(app.instance_path) / "uploads" / str(customer.customer_id) / source.stored_path
    assert stored.read_bytes() == PDF
    signed_in.post(f"/agents/{agent.agent_id}/knowledge/{source.knowledge_source_id}/delete", headers=HX)
    assert not stored.exists() and sources_of(agent) == []


def test_files_are_checked_by_content_extension_and_size(signed_in, agent):
    cases = ((b"MZ\x90\x00 not a pdf", "report.pdf", "not a real .pdf file"),
             (b"hello", "run.exe", "Upload a .pdf"),
             (b"\x00\x01binary", "notes.txt", "not a real .txt file"),
             (b"%PDF-" + b"0" * (5 * 1024 * 1024), "big.pdf", "larger than 5 MB"))
    for content, name, message in cases:
        response = upload(signed_in, agent, content, name)
        assert response.status_code == 422 and message in response.get_data(as_text=True), name
    assert sources_of(agent) == []


def test_file_uploads_stop_at_the_plan_limit(app, login_as):
    customer = factories.make_customer(with_contract=False)
    factories.make_contract(customer, factories.make_plan(max_file_uploads=0))
    agent = factories.make_agent(customer)
    db.session.commit()
    response = upload(login_as(customer), agent, PDF, "a.pdf")
    assert response.status_code == 403 and "limit of 0 file uploads" in response.get_data(as_text=True)
    assert sources_of(agent) == []


def test_deleting_the_agent_deletes_its_uploaded_files(signed_in, agent, app, customer):
    upload(signed_in, agent, PDF, "prices.pdf")
    (source,) = sources_of(agent)
    stored = __import__("pathlib").Path(app.instance_path) / "uploads" / str(customer.customer_id) / source.stored_path
    assert stored.exists()
    signed_in.post(f"/agents/{agent.agent_id}/delete")
    assert not stored.exists()


def test_the_source_list_polls_while_a_source_waits_and_stops_once_none_does(signed_in, agent):
    source = factories.make_knowledge_source(agent, status_detail="Waiting to be sent to Ultravox.")
    source.status = "pending"
    db.session.commit()
    url = f"/agents/{agent.agent_id}/knowledge/sources"
    assert 'hx-trigger="every 2s"' in signed_in.get(f"/agents/{agent.agent_id}").get_data(as_text=True)
    waiting = signed_in.get(url, headers=HX).get_data(as_text=True)
    assert 'hx-trigger="every 2s"' in waiting and ">Waiting</span>" in waiting and "<section" not in waiting
    source.status, source.ultravox_source_id = "ready", "src_1"
    db.session.commit()
    done = signed_in.get(url, headers=HX).get_data(as_text=True)
    assert "every 2s" not in done and 'badge ok nowrap">Synced</span>' in done


def test_a_source_kept_here_is_never_shown_ready_beside_not_synced(signed_in, agent):
    """Found: a green "ready" beside "not synced because Ultravox is not configured" (a row marked ready with that detail,
    or skipped): only a source Ultravox holds reads "Synced"."""
    factories.make_knowledge_source(agent, name="Old FAQ", status_detail="Stored here; not synced because Ultravox is not configured.")
    skipped = factories.make_knowledge_source(agent, name="New FAQ", status_detail="Stored here; not synced because Ultravox is not configured.")
    skipped.status = "skipped"
    db.session.commit()
    html = signed_in.get(f"/agents/{agent.agent_id}/knowledge/sources", headers=HX).get_data(as_text=True)
    assert "badge ok" not in html and ">ready<" not in html and ">skipped<" not in html
    assert html.count(">Stored here only</span>") == 2


def test_file_sizes_read_in_bytes_kb_and_mb(signed_in, agent):
    """Found: a 31-byte file showed as "0 KB"."""
    for name, size in (("tiny.txt", 31), ("notes.txt", 2458), ("prices.pdf", 1258291)):
        factories.make_knowledge_source(agent, kind="file", name=name, url=None, size_bytes=size)
    db.session.commit()
    html = signed_in.get(f"/agents/{agent.agent_id}/knowledge/sources", headers=HX).get_data(as_text=True)
    assert "31 bytes" in html and "2.4 KB" in html and "1.2 MB" in html and "0 KB" not in html


def test_syncing_another_customers_source_is_404(signed_in, agent, other_customer):
    theirs = factories.make_knowledge_source(factories.make_agent(other_customer))
    db.session.commit()
    for path in (f"knowledge/{theirs.knowledge_source_id}/sync", f"knowledge/{theirs.knowledge_source_id}/delete"):
        assert signed_in.post(f"/agents/{agent.agent_id}/{path}", headers=HX).status_code == 404
    assert signed_in.get(f"/agents/{theirs.agent_id}/knowledge/sources", headers=HX).status_code == 404
    assert db.session.get(KnowledgeSource, theirs.knowledge_source_id).status == "ready"


def test_the_sync_job_of_a_removed_source_does_nothing(app):
    sync_source(987654)


def test_the_knowledge_meter_answers_measure_usage_in_one_query(app, customer, other_customer):
    agent = factories.make_agent(customer)
    factories.make_knowledge_source(agent)
    factories.make_knowledge_source(factories.make_agent(customer))
    factories.make_knowledge_source(agent, url=None).kind = "file"
    factories.make_knowledge_source(factories.make_agent(other_customer))
    db.session.commit()
    customer_id = customer.customer_id
    assert {"max_file_uploads": 1, "max_web_sources": 2} in collect(measure_usage, app, customer_id=customer_id,
                                                                    since=None)
    with counting_queries() as statements:
        answer = measure_knowledge(app, customer_id=customer_id)
    assert answer == {"max_file_uploads": 1, "max_web_sources": 2} and len(statements) == 1
