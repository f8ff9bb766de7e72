"""SEPA credit transfer files (ISO 20022 pain.001.001.03), from plain values, with sepaxml.

One file holds one batch of euro transfers from the platform's account to the owners of traded-in
devices; finance uploads it to the bank. Tests validate the XML against the pain.001.001.03 schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sepaxml import SepaTransfer

from marketplace.money import Money

SCHEMA = "pain.001.001.03"


@dataclass(frozen=True)
class Debtor:
    name: str
    iban: str
    bic: str


@dataclass(frozen=True)
class Transfer:
    name: str
    iban: str
    amount: Money  # EUR
    description: str  # remittance information, shown on the owner's statement
    end_to_end_id: str  # up to 35 characters; the trade-in's code


def build_pain001(*, debtor: Debtor, message_id: str, execution_date: date, transfers: list[Transfer]) -> bytes:
    """The pain.001 XML of `transfers` (all in EUR) from `debtor`'s account, executed on `execution_date`."""
    if not transfers:
        raise ValueError("A SEPA file holds at least one transfer")
    config = {"name": debtor.name, "IBAN": debtor.iban, "BIC": debtor.bic, "batch": True, "currency": "EUR"}
    sepa = SepaTransfer(config, schema=SCHEMA, clean=True)
    # sepaxml writes a random message id into the group header when it is built; ours is the file's
    # id in the console (the bank reports on it), so it replaces that one.
    header_id = sepa._xml.find("CstmrCdtTrfInitn/GrpHdr/MsgId")
    if header_id is None:
        raise RuntimeError("sepaxml's document has no group header message id")
    header_id.text = sepa.msg_id = message_id[:35]
    for transfer in transfers:
        if transfer.amount.currency != "EUR":
            raise ValueError("SEPA credit transfers are in euro")
        sepa.add_payment(
            {
                "name": transfer.name,
                "IBAN": transfer.iban,
                "amount": transfer.amount.amount,
                "execution_date": execution_date,
                "description": transfer.description,
                "endtoend_id": transfer.end_to_end_id[:35],
            }
        )
    return bytes(sepa.export(validate=False))
