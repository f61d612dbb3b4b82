"""Knowledge sources: files checked by content and size, web pages checked for SSRF, both within plan limits."""
import io

from dashboard.extensions import db
from dashboard.models import KnowledgeSource
from tests import factories

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
    assert (source.kind, source.name, source.status) == ("web", "FAQ", "ready")
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
