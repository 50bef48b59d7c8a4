"""Load demo agencies, people, cohorts and certificates for trying the site locally; safe to
run again.

    manage.py seed_demo            create or refresh the demo data and print the logins
    manage.py seed_demo --dry-run  show what would be created, write nothing
    manage.py seed_demo --i-know-this-is-not-production
                                   run with DEBUG off (a staging copy, say)

First the agencies and people (accounts.demo), then an upcoming in-person cohort in each
demo country (cohorts.demo), then certificates in each state of their lifecycle (issued,
superseded by a corrected reissue, revoked, expiring soon: certificates.demo), rendered in
this process, then each demo agency follows its country's demonstration requirement set
(reports.demo). Cohorts, certificates and requirement sets need the content: run
`manage.py sync_content` before (`make run` does: migrate, sync_content, seed_demo). The
command lives in reports, the highest layer whose demo data it loads, because a lower app
must not depend on a higher one.

Refuses to run with DEBUG off, unless told --i-know-this-is-not-production: demo accounts
with a published password must never reach a real deployment.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.demo import DEMO_PASSWORD, seed_demo
from certificates.demo import seed_demo_certificates
from cohorts.demo import DEMO_COURSE_SLUG, seed_demo_cohorts
from reports.demo import seed_demo_requirements


class Command(BaseCommand):
    help = (
        "Create demo agencies (South Korea, Thailand, Moldova), a trainer, admins, officers, "
        "an upcoming in-person cohort in each country and certificates in every state."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument(
            "--i-know-this-is-not-production",
            action="store_true",
            dest="not_production",
            help="Run even with DEBUG off. Demo accounts share one published password.",
        )
        parser.add_argument(
            "--course",
            default=DEMO_COURSE_SLUG,
            help=(
                "Slug of the course the demo cohorts teach and the demo certificates are for "
                f"(default: {DEMO_COURSE_SLUG})."
            ),
        )

    def handle(self, *args, dry_run: bool, course: str, not_production: bool, **options):
        if not settings.DEBUG and not not_production:
            raise CommandError(
                "seed_demo only runs with DEBUG on (development): its accounts share one "
                "published password. On a copy that is not production, add "
                "--i-know-this-is-not-production."
            )
        with transaction.atomic():
            people = seed_demo()
            cohorts = seed_demo_cohorts(course_slug=course)
            # A dry run renders nothing: a PDF stored in the file storage would outlive the
            # rollback.
            certificates = seed_demo_certificates(course_slug=course, render=not dry_run)
            requirements = seed_demo_requirements()
            if dry_run:
                transaction.set_rollback(True)
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD})"))
        for email, role, agency in people:
            self.stdout.write(f"  {email:38} {role:13} {agency}")
        verb = "would be created" if dry_run else "created"
        for title in cohorts.created:
            self.stdout.write(f"Demo cohort {verb}: {title}")
        for title in cohorts.kept:
            self.stdout.write(f"Demo cohort already there: {title}")
        follows = "would follow" if dry_run else "now follows"
        for agency, name in requirements.chosen:
            self.stdout.write(f"Demo agency {follows}: {agency} -> {name}")
        for agency, name in requirements.kept:
            self.stdout.write(f"Demo agency already follows: {agency} -> {name}")
        for note in cohorts.notes + certificates.notes + requirements.notes:
            self.stdout.write(self.style.WARNING(note))
        self.write_certificates(certificates, dry_run=dry_run)
        if dry_run:
            self.stdout.write("dry run: nothing was written")

    def write_certificates(self, certificates, *, dry_run: bool) -> None:
        if dry_run:
            for plan in certificates.planned:
                self.stdout.write(f"Demo certificate would be created: {plan}")
        else:
            for email in certificates.created:
                self.stdout.write(f"Demo course completed: {email}")
        if not certificates.certificates:
            return
        self.stdout.write(self.style.SUCCESS("Demo certificates (serial, revision, holder, state)"))
        for certificate in certificates.certificates:
            state = certificate.public_status()
            if state == "valid" and certificate.valid_until:
                state = f"valid until {certificate.valid_until:%Y-%m-%d}"
            self.stdout.write(
                f"  {certificate.serial:18} r{certificate.revision}  "
                f"{certificate.holder_name:20} {state:22} {certificate.get_absolute_url()}"
            )
