"""Bitstring Status List entries: a random, never reused index per certificate in the current
revocation and suspension lists, and the bit flipped in the caller's transaction."""

import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from certificates.models import STATUS_LIST_SIZE, Certificate, StatusList


def _open_list(purpose: str) -> StatusList:
    """The list new certificates join, locked; a new one once the current is half full."""
    current = (
        StatusList.objects.select_for_update().filter(purpose=purpose).order_by("-number").first()
    )
    # A list takes new certificates until half its entries (of its own size) are handed out,
    # so a random index is found in a couple of tries and set bits stay a small share of it.
    if current is not None and current.allocated < current.size // 2:
        return current
    number = current.number + 1 if current else 1
    try:
        with transaction.atomic():
            return StatusList.objects.create(
                purpose=purpose, number=number, bits=bytes(STATUS_LIST_SIZE // 8)
            )
    except IntegrityError:
        # Two workers opened the same list at once (the first certificates of a bulk issue
        # on a new site): the second waited for the first's insert, and joins its list.
        return StatusList.objects.select_for_update().get(purpose=purpose, number=number)


def _free_index(status_list: StatusList, field: str) -> str:
    taken_filter = {f"{field}_list": status_list}
    while True:
        index = str(secrets.randbelow(status_list.size))
        if not Certificate.objects.filter(**taken_filter, **{f"{field}_index": index}).exists():
            return index


@transaction.atomic
def status_list_allocate(*, certificate: Certificate) -> Certificate:
    """Give the certificate its revocation and suspension entries (once; a second call keeps
    them). The list rows are locked, so two certificates never draw the same index."""
    fields = []
    for purpose in StatusList.Purpose.values:
        if getattr(certificate, f"{purpose}_list_id"):
            continue
        status_list = _open_list(purpose)
        setattr(certificate, f"{purpose}_list", status_list)
        setattr(certificate, f"{purpose}_index", _free_index(status_list, purpose))
        status_list.allocated += 1
        status_list.save(update_fields=["allocated"])
        fields += [f"{purpose}_list", f"{purpose}_index"]
    if fields and certificate.pk:
        certificate.save(update_fields=fields)
    return certificate


def _set_bit(bits: bytes, index: int, value: bool) -> bytes:
    data = bytearray(bits)
    mask = 0x80 >> (index % 8)
    if value:
        data[index // 8] |= mask
    else:
        data[index // 8] &= ~mask & 0xFF
    return bytes(data)


def status_list_bit(*, status_list: StatusList, index: int) -> bool:
    return bool(bytes(status_list.bits)[index // 8] & (0x80 >> (index % 8)))


def status_list_set(*, certificate: Certificate, purpose: str, value: bool) -> None:
    """Set (True) or clear the certificate's bit in its list of this purpose. Call it inside
    the transaction that changes the certificate's status, so the two never disagree."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("status_list_set must run inside the status change's transaction")
    list_id = getattr(certificate, f"{purpose}_list_id")
    if list_id is None:
        status_list_allocate(certificate=certificate)
        list_id = getattr(certificate, f"{purpose}_list_id")
    status_list = StatusList.objects.select_for_update().get(pk=list_id)
    index = int(getattr(certificate, f"{purpose}_index"))
    status_list.bits = _set_bit(bytes(status_list.bits), index, value)
    status_list.updated_at = timezone.now()
    status_list.save(update_fields=["bits", "updated_at"])
