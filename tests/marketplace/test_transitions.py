"""The transition helper: table-checked, row-locked, audited, side effects after commit."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models

from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.events import emit
from marketplace.models import AuditEvent, Event, EventType
from marketplace.transitions import transition


class Gadget(models.Model):
    status = models.CharField(max_length=20, default="draft")

    class Meta:
        app_label = "marketplace"
        managed = False

    def __str__(self) -> str:
        return f"gadget {self.pk}"


TABLE = {"draft": frozenset({"live"}), "live": frozenset({"retired"}), "retired": frozenset()}


@pytest.fixture
def gadget_table(db):
    # The content type of this test-only model is created inside each test's rolled-back
    # transaction, so the manager's cache must not remember it across tests.
    ContentType.objects.clear_cache()
    with connection.schema_editor() as editor:
        editor.create_model(Gadget)
    yield
    ContentType.objects.clear_cache()
    with connection.schema_editor() as editor:
        editor.delete_model(Gadget)


def test_a_move_in_the_table_saves_and_audits(gadget_table, seller_owner, django_capture_on_commit_callbacks):
    gadget = Gadget.objects.create()
    done = []

    with django_capture_on_commit_callbacks(execute=True):
        transition(
            gadget,
            to="live",
            actor=Actor.for_user(seller_owner),
            transitions=TABLE,
            reason="ready",
            on_commit=lambda: done.append("sent"),
        )

    gadget.refresh_from_db()
    assert gadget.status == "live"
    audit = AuditEvent.objects.get()
    assert (audit.from_status, audit.to_status, audit.reason) == ("draft", "live", "ready")
    assert audit.actor_user == seller_owner
    assert audit.actor_label == seller_owner.email
    assert audit.content_type == ContentType.objects.get_for_model(Gadget)
    assert audit.object_id == str(gadget.pk)
    assert done == ["sent"]


def test_a_move_outside_the_table_is_refused_and_leaves_nothing(gadget_table):
    gadget = Gadget.objects.create()

    with pytest.raises(ApplicationError) as error:
        transition(gadget, to="retired", actor=Actor.system(), transitions=TABLE)

    assert error.value.code == ErrorCode.INVALID_TRANSITION
    gadget.refresh_from_db()
    assert gadget.status == "draft"
    assert AuditEvent.objects.count() == 0


def test_the_check_uses_the_row_in_the_database_not_a_stale_copy(gadget_table):
    gadget = Gadget.objects.create()
    stale = Gadget.objects.get(pk=gadget.pk)
    transition(gadget, to="live", actor=Actor.system(), transitions=TABLE)

    with pytest.raises(ApplicationError):
        transition(stale, to="live", actor=Actor.system(), transitions=TABLE)

    assert AuditEvent.objects.count() == 1


def test_emit_writes_an_event_in_the_transaction(db, seller_org):
    from django.db import transaction

    with transaction.atomic():
        event = emit(EventType.SELLER_STATUS_CHANGED, {"seller": seller_org.slug, "status": "probation"}, seller_org)

    stored = Event.objects.get()
    assert stored == event
    assert stored.id.startswith("evt_")
    assert stored.as_payload()["data"] == {"seller": seller_org.slug, "status": "probation"}


def test_emit_rolls_back_with_the_change(db, seller_org):
    from django.db import transaction

    def change_that_fails() -> None:
        with transaction.atomic():
            emit(EventType.LISTING_PAUSED, {"listing": 1}, seller_org)
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        change_that_fails()

    assert Event.objects.count() == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_emit_outside_a_transaction_is_a_programming_error():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        emit(EventType.LISTING_PAUSED, {"listing": 1})


def test_a_row_created_in_the_open_transaction_moves_without_being_read_again(gadget_table):
    from django.db import transaction
    from django.test.utils import CaptureQueriesContext

    with transaction.atomic():
        gadget = Gadget.objects.create()
        with CaptureQueriesContext(connection) as queries:
            transition(gadget, to="live", actor=Actor.system(), transitions=TABLE, held=True)
        with pytest.raises(ApplicationError):  # the table still decides, from the status in hand
            transition(gadget, to="draft", actor=Actor.system(), transitions=TABLE, held=True)

    gadget_sql = [query["sql"] for query in queries.captured_queries if "marketplace_gadget" in query["sql"]]
    assert gadget_sql == [gadget_sql[0]]  # the UPDATE alone: not read again, not locked again
    assert gadget_sql[0].startswith("UPDATE")
    gadget.refresh_from_db()
    assert gadget.status == "live"
    assert list(AuditEvent.objects.values_list("from_status", "to_status")) == [("draft", "live")]


def test_a_set_based_move_can_answer_the_rows_as_the_orm_reads_them(db, shopper):
    """`bulk_transition(rows=True)`: the moved rows from the UPDATE's RETURNING, each column converted as the
    ORM converts what it reads (aware times, decimals, JSON), equal to reading them again."""
    from django.db import transaction

    from marketplace.transitions import bulk_transition
    from orders.models import SellerOrder
    from orders.states import TRANSITIONS, SellerOrderStatus
    from tests.factories.catalog import make_listing
    from tests.factories.orders import place

    order = place((make_listing(), 1), (make_listing(), 1), buyer=shopper)
    with transaction.atomic():
        moved = bulk_transition(
            SellerOrder.objects.filter(order=order),
            from_status=SellerOrderStatus.PENDING_PAYMENT,
            to=SellerOrderStatus.CANCELLED,
            actor=Actor.system(),
            transitions=TRANSITIONS,
            organisation_field="seller",
            rows=True,
        )

    fresh = list(SellerOrder.objects.filter(order=order).order_by("pk"))
    fields = [field.attname for field in SellerOrder._meta.concrete_fields]
    assert [[getattr(row, name) for name in fields] for row in moved] == [
        [getattr(row, name) for name in fields] for row in fresh
    ]
    assert {row.status for row in moved} == {SellerOrderStatus.CANCELLED}
    assert all(row.updated_at.tzinfo is not None for row in moved)


def test_a_move_made_as_the_row_is_created_is_checked_and_audited_without_a_second_write(gadget_table):
    from django.db import transaction
    from django.test.utils import CaptureQueriesContext

    from marketplace.transitions import transition_at_creation

    with transaction.atomic():
        gadget = Gadget.objects.create(status="live")
        with CaptureQueriesContext(connection) as queries:
            transition_at_creation(gadget, from_status="draft", actor=Actor.system(), transitions=TABLE, reason="r")
        with pytest.raises(ApplicationError) as error:  # a status its move cannot reach: refused
            transition_at_creation(
                Gadget.objects.create(status="retired"), from_status="draft", actor=Actor.system(), transitions=TABLE
            )

    assert error.value.code == ErrorCode.INVALID_TRANSITION
    assert not [query for query in queries.captured_queries if "marketplace_gadget" in query["sql"]]
    assert list(AuditEvent.objects.values_list("object_id", "from_status", "to_status", "reason")) == [
        (str(gadget.pk), "draft", "live", "r")
    ]
