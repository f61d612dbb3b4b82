"""CustomerOwned: owned_select() keeps to one customer's rows, directly or through the owning parent."""
from dashboard.crm.models import Lead
from dashboard.database import CustomerOwned
from dashboard.extensions import db
from dashboard.integrations.models import ThirdPartyOAuth
from tests import factories


def test_a_table_with_customer_id_selects_only_that_customers_rows(app, customer, other_customer):
    mine = factories.make_lead(customer)
    factories.make_lead(other_customer)
    db.session.commit()
    assert db.session.scalars(Lead.owned_select(customer.customer_id)).all() == [mine]


def test_a_table_owned_through_its_agent_joins_the_agent(app, customer, other_customer):
    mine = factories.make_connection(factories.make_agent(customer))
    factories.make_connection(factories.make_agent(other_customer))
    db.session.commit()
    assert ThirdPartyOAuth.owned_through is not None
    assert db.session.scalars(ThirdPartyOAuth.owned_select(customer.customer_id)).all() == [mine]


def test_every_model_with_owned_select_outside_agents_uses_the_mixin():
    copies = [mapper.class_.__name__ for mapper in db.Model.registry.mappers
              if "owned_select" in vars(mapper.class_) and not mapper.class_.__module__.startswith("dashboard.agents")]
    assert copies == []
    owned = {m.class_.__name__ for m in db.Model.registry.mappers if issubclass(m.class_, CustomerOwned)}
    assert {"Customer", "ApiKey", "Contract", "Visitor", "Conversation", "EmailTemplate", "EmailLog", "Lead",
            "Service", "ServiceMatch", "ThirdPartyOAuth"} <= owned
