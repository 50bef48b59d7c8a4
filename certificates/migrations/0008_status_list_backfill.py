"""Certificates issued before status lists existed get their revocation and suspension
entries (random, never reused, as for new ones), and a revoked one has its bit set, so every
credential carries its credentialStatus and the published lists tell the truth."""

import secrets

from django.db import migrations

SIZE = 131_072


def _list_for(StatusList, purpose, cache):
    current = cache.get(purpose)
    if current is None:
        current = StatusList.objects.filter(purpose=purpose).order_by("-number").first()
    if current is None or current.allocated >= current.size // 2:
        number = current.number + 1 if current else 1
        current = StatusList.objects.create(
            purpose=purpose, number=number, size=SIZE, bits=bytes(SIZE // 8)
        )
    cache[purpose] = current
    return current


def backfill(apps, schema_editor):
    Certificate = apps.get_model("certificates", "Certificate")
    StatusList = apps.get_model("certificates", "StatusList")
    cache, taken = {}, {}
    for certificate in Certificate.objects.filter(revocation_list__isnull=True).order_by("pk"):
        for purpose in ("revocation", "suspension"):
            status_list = _list_for(StatusList, purpose, cache)
            if status_list.pk not in taken:
                taken[status_list.pk] = set(
                    Certificate.objects.filter(**{f"{purpose}_list": status_list}).values_list(
                        f"{purpose}_index", flat=True
                    )
                )
            used = taken[status_list.pk]
            index = str(secrets.randbelow(status_list.size))
            while index in used:
                index = str(secrets.randbelow(status_list.size))
            used.add(index)
            setattr(certificate, f"{purpose}_list", status_list)
            setattr(certificate, f"{purpose}_index", index)
            status_list.allocated += 1
            if purpose == "revocation" and certificate.status == "revoked":
                bits = bytearray(bytes(status_list.bits))
                bits[int(index) // 8] |= 0x80 >> (int(index) % 8)
                status_list.bits = bytes(bits)
            status_list.save(update_fields=["allocated", "bits"])
        certificate.save(
            update_fields=["revocation_list", "revocation_index", "suspension_list", "suspension_index"]
        )


class Migration(migrations.Migration):
    dependencies = [("certificates", "0007_batch")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
